#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Persistent worker threads for data-parallel loops (no per-call thread creation).
///
/// `parallelFor` is called a few hundred times per decoded token, so its overhead is kept to a few
/// microseconds: workers spin for a short while after each job and only then park on a condition
/// variable. `threadCount` counts the calling thread, so a pool of 2 starts one worker.
///
/// Re-entrancy: only one `parallelFor` runs on the workers at a time. A call made while another is
/// in progress — from inside a loop body (nested use) or from another thread — runs its loop inline
/// on the calling thread. This is always safe, merely not parallel.
public final class ThreadPool: @unchecked Sendable {
    // @unchecked Sendable: all mutable state lives in `PoolShared`, whose fields are atomics or are
    // written by the single owner of `busy` before a release-publish of `generation` (see there).
    public let threadCount: Int
    private let shared: PoolShared
    private var threads: [pthread_t] = []

    /// - Parameter threadCount: total threads including the caller (clamped to at least 1).
    ///   1 means every loop runs inline.
    public init(threadCount: Int) {
        self.threadCount = max(1, threadCount)
        shared = PoolShared()
        for index in 1..<self.threadCount {
            let context = Unmanaged.passRetained(WorkerContext(shared: shared, workerIndex: index)).toOpaque()
            var thread = pthread_t()
            var attributes = pthread_attr_t()
            pthread_attr_init(&attributes)
            pthread_attr_setstacksize(&attributes, 8 << 20)
            let status = pthread_create(&thread, &attributes, { raw in
                #if canImport(Darwin)
                let context = Unmanaged<WorkerContext>.fromOpaque(raw).takeRetainedValue()
                #else
                guard let raw else { return nil }
                let context = Unmanaged<WorkerContext>.fromOpaque(raw).takeRetainedValue()
                #endif
                context.shared.workerLoop()
                return nil
            }, context)
            pthread_attr_destroy(&attributes)
            if status == 0 {
                threads.append(thread)
            } else {
                // Could not start a worker: release its context; loops still complete because the
                // caller claims every index it can.
                Unmanaged<WorkerContext>.fromOpaque(context).release()
            }
        }
    }

    deinit {
        shared.shutdown()
        for thread in threads { pthread_join(thread, nil) }
    }

    /// Calls `body(i)` exactly once for every `i` in `0..<count`, spread over the pool's threads,
    /// and returns when all calls have finished. Indices are claimed dynamically one at a time, so
    /// pass chunks of work (e.g. blocks of rows), not single elements.
    public func parallelFor(_ count: Int, _ body: (Int) -> Void) {
        if count <= 0 { return }
        if threads.isEmpty || count == 1 || !shared.tryAcquire() {
            for i in 0..<count { body(i) }
            return
        }
        withoutActuallyEscaping(body) { escapable in
            shared.run(count: count, body: escapable)
        }
        shared.release()
    }
}

/// Retained by a worker thread for its lifetime.
private final class WorkerContext: @unchecked Sendable {
    // @unchecked Sendable: immutable after init.
    let shared: PoolShared
    let workerIndex: Int
    init(shared: PoolShared, workerIndex: Int) {
        self.shared = shared
        self.workerIndex = workerIndex
    }
}
