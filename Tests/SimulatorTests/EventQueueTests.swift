import ServeCore
@testable import Simulator
import Testing

@Suite struct EventQueueTests {
    @Test(arguments: [UInt64(1), 2, 3])
    func popsInTimeThenSequenceOrder(seed: UInt64) {
        var g = SplitMix64(seed: seed)
        var q = EventQueue()
        for _ in 0..<2_000 {
            // Coarse times force many ties.
            q.schedule(.controlTick, at: Double(g.next() % 50))
        }
        var last: SimEvent?
        while let e = q.pop() {
            if let l = last {
                #expect(l.time < e.time || (l.time == e.time && l.sequence < e.sequence))
            }
            last = e
        }
        #expect(q.isEmpty)
    }

    @Test func tiesKeepSchedulingOrder() {
        var q = EventQueue()
        let kinds: [SimEventKind] = [.drift(phase: 1), .controlTick, .arrival(request: 0), .stepComplete(worker: 2)]
        for k in kinds { q.schedule(k, at: 5) }
        q.schedule(.arrival(request: 9), at: 1)
        #expect(q.pop()?.kind == .arrival(request: 9))
        for k in kinds { #expect(q.pop()?.kind == k) }
    }
}

@Suite struct DistributionTests {
    @Test(arguments: [0.001, 0.5, 1.0, 2.0, 10.0, 12345.678])
    func logAndExpAreAccurate(x: Double) {
        // ln via identities: ln(e^y) == y.
        let y = x.logValue
        #expect(abs(exponentialFn(y) - x) <= 1e-12 * x)
        #expect(abs(2.0.logValue - 0.693_147_180_559_945_3) < 1e-15)
    }

    @Test func cosineMatchesKnownValues() {
        #expect(abs(cosine(0) - 1) < 1e-15)
        #expect(abs(cosine(Double.pi) + 1) < 1e-14)
        #expect(abs(cosine(Double.pi / 3) - 0.5) < 1e-14)
        #expect(abs(cosine(7.5) - 0.346_635_317_835_026_2) < 1e-13)
    }

    @Test func zipfIsNormalisedAndSkewed() {
        let z = ZipfSampler(count: 100, exponent: 1)
        let total = (0..<100).reduce(0.0) { $0 + z.probability($1) }
        #expect(abs(total - 1) < 1e-12)
        var g = SplitMix64(seed: 4)
        var hits = [Int](repeating: 0, count: 100)
        for _ in 0..<20_000 { hits[z.sample(&g)] += 1 }
        #expect(abs(Double(hits[0]) / 20_000 - z.probability(0)) < 0.02)
        #expect(hits[0] > hits[10] && hits[10] > hits[99])
    }

    @Test(arguments: [0.5, 1.0, 4.0])
    func gammaHasTheRightMean(shape: Double) {
        var g = SplitMix64(seed: 8)
        let n = 20_000
        let mean = (0..<n).reduce(0.0) { acc, _ in acc + Sample.gamma(shape: shape, scale: 2, &g) } / Double(n)
        #expect(abs(mean - 2 * shape) < 0.1 * 2 * shape)
    }
}
