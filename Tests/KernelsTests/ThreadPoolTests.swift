import Testing
import Synchronization
import Kernels
#if canImport(Glibc)
import Glibc
#endif

@Suite("ThreadPool")
struct ThreadPoolTests {
    @Test("every index exactly once", arguments: [1, 2, 3], [0, 1, 2, 5, 64, 1000])
    func everyIndexOnce(threads: Int, count: Int) {
        let pool = ThreadPool(threadCount: threads)
        #expect(pool.threadCount == threads)
        let hits = UnsafeMutablePointer<Atomic<Int>>.allocate(capacity: max(count, 1))
        for i in 0..<max(count, 1) { (hits + i).initialize(to: Atomic(0)) }
        defer { hits.deallocate() }
        for _ in 0..<50 {   // many back-to-back jobs exercise the generation hand-over
            pool.parallelFor(count) { i in hits[i].add(1, ordering: .relaxed) }
        }
        for i in 0..<count { #expect(hits[i].load(ordering: .relaxed) == 50) }
    }

    @Test("nested parallelFor runs inline and covers everything")
    func nested() {
        let pool = ThreadPool(threadCount: 2)
        let total = Atomic<Int>(0)
        pool.parallelFor(8) { _ in
            pool.parallelFor(10) { j in total.add(j, ordering: .relaxed) }
        }
        #expect(total.load(ordering: .relaxed) == 8 * 45)
    }

    @Test("concurrent callers on one pool are safe")
    func concurrentCallers() async {
        let pool = ThreadPool(threadCount: 2)
        let total = Counter()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    for _ in 0..<100 { pool.parallelFor(16) { _ in total.value.add(1, ordering: .relaxed) } }
                }
            }
        }
        let sum = total.value.load(ordering: .relaxed)
        #expect(sum == 4 * 100 * 16)
    }

    @Test("work is shared with the worker threads")
    func usesWorkers() {
        // Each index records whether it ran on the calling thread; with enough slow-ish chunks the
        // worker claims some. (Not a timing assertion: we only check both threads can run bodies.)
        let pool = ThreadPool(threadCount: 2)
        let seenWorker = Atomic<Bool>(false)
        let caller = pthread_self()
        for _ in 0..<200 where !seenWorker.load(ordering: .relaxed) {
            pool.parallelFor(64) { _ in
                if pthread_equal(pthread_self(), caller) == 0 { seenWorker.store(true, ordering: .relaxed) }
                var s = 0.0
                for k in 0..<2000 { s += Double(k).squareRoot() }
                if s < 0 { print(s) }
            }
        }
        let ranOnWorker = seenWorker.load(ordering: .relaxed)
        #expect(ranOnWorker)
    }
}

/// Shared counter for concurrent tests.
final class Counter: Sendable {
    let value = Atomic<Int>(0)
}
