#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// State shared by a `ThreadPool` and its workers.
///
/// Protocol: the owner of `busy` writes `body`/`count`, resets `next`, then bumps `generation`
/// (sequentially consistent). A worker that sees a new generation increments `joined`, re-reads
/// `generation` and only works if it is unchanged; the caller, after claiming indices until none
/// are left, bumps `generation` again ("closed") and waits for `joined == 0`. With sequentially
/// consistent atomics a worker either is counted in `joined` before the close, or sees the close
/// and does nothing, so `body` is never called after `run` returns.
final class PoolShared: @unchecked Sendable {
    // @unchecked Sendable: `body` and `count` are plain fields, written only by the caller that
    // owns `busy` while no worker is joined (joined == 0 and generation is "closed"), and read by
    // workers only between a successful join and their leave (see the protocol above).
    private let busy = Atomic<Bool>(false)
    private let generation = Atomic<Int>(0)
    private let joined = Atomic<Int>(0)
    private let next = Atomic<Int>(0)
    private let sleepers = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    private nonisolated(unsafe) var body: ((Int) -> Void)?
    private nonisolated(unsafe) var count = 0
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>

    /// Spin iterations (each a `pause`-like yield of the core's pipeline) before parking; about
    /// 50–100 µs, longer than the gap between two matmuls of one decode step.
    private static let spinLimit = 1_000_000

    init() {
        mutex = .allocate(capacity: 1)
        condition = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        pthread_cond_destroy(condition)
        mutex.deallocate()
        condition.deallocate()
    }

    func tryAcquire() -> Bool {
        busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
    }

    func release() { busy.store(false, ordering: .releasing) }

    /// Publishes a job, takes part in it, and returns when every index has finished.
    func run(count: Int, body: @escaping (Int) -> Void) {
        self.body = body
        self.count = count
        next.store(0, ordering: .sequentiallyConsistent)
        generation.add(1, ordering: .sequentiallyConsistent)   // odd: open
        if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
            pthread_mutex_lock(mutex)
            pthread_cond_broadcast(condition)
            pthread_mutex_unlock(mutex)
        }
        work(body: body, count: count)
        generation.add(1, ordering: .sequentiallyConsistent)   // even: closed
        // A worker is finishing its last claimed index. On an oversubscribed machine it may have
        // been descheduled, so after a short spin give the core away instead of burning it.
        var spins = 0
        while joined.load(ordering: .sequentiallyConsistent) != 0 {
            spins += 1
            if spins > 2_000 { sched_yield() } else { spinPause() }
        }
        self.body = nil
    }

    private func work(body: (Int) -> Void, count: Int) {
        while true {
            let i = next.add(1, ordering: .relaxed).oldValue
            if i >= count { return }
            body(i)
        }
    }

    func shutdown() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        generation.add(2, ordering: .sequentiallyConsistent)
        pthread_mutex_lock(mutex)
        pthread_cond_broadcast(condition)
        pthread_mutex_unlock(mutex)
    }

    func workerLoop() {
        // Start from 0, not the current generation: a worker scheduled late (even after shutdown)
        // must still notice every change made since the pool was created.
        var seen = 0
        while true {
            var current = generation.load(ordering: .sequentiallyConsistent)
            var spins = 0
            while current == seen {
                if spins < Self.spinLimit {
                    spins += 1
                    spinPause()
                } else {
                    sleepers.add(1, ordering: .sequentiallyConsistent)
                    pthread_mutex_lock(mutex)
                    while generation.load(ordering: .sequentiallyConsistent) == seen
                            && !stopping.load(ordering: .sequentiallyConsistent) {
                        pthread_cond_wait(condition, mutex)
                    }
                    pthread_mutex_unlock(mutex)
                    sleepers.subtract(1, ordering: .sequentiallyConsistent)
                }
                current = generation.load(ordering: .sequentiallyConsistent)
            }
            seen = current
            if stopping.load(ordering: .sequentiallyConsistent) { return }
            if current & 1 == 0 { continue }   // a job already closed
            joined.add(1, ordering: .sequentiallyConsistent)
            if generation.load(ordering: .sequentiallyConsistent) == current, let body {
                work(body: body, count: count)
            }
            joined.subtract(1, ordering: .sequentiallyConsistent)
        }
    }
}

/// A short busy wait between polls. (`_mm_pause` is not linkable from Swift on Linux; a plain
/// relaxed poll loop is used instead.)
@inline(__always)
func spinPause() {}
