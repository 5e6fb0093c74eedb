import ServeCore
import SummaryCache
import Testing

@Suite("ThresholdCalibrator")
struct ThresholdCalibratorTests {
    /// Paraphrases around 0.85 ± 0.08, near-misses around 0.70 ± 0.1 (20% of them at 0.9+ but
    /// caught by the guards).
    static func synthetic(seed: UInt64) -> [LabelledPair] {
        var rng = SplitMix64(seed: seed)
        var pairs: [LabelledPair] = []
        for _ in 0..<500 {
            pairs.append(LabelledPair(similarity: 0.77 + 0.16 * rng.nextUnitFloat(), guardsPassed: rng.next() % 50 != 0, isSameAnswer: true))
            let tricky = rng.next() % 5 == 0
            pairs.append(LabelledPair(similarity: tricky ? 0.9 + 0.09 * rng.nextUnitFloat() : 0.6 + 0.2 * rng.nextUnitFloat(),
                                      guardsPassed: !tricky || rng.next() % 20 == 0, isSameAnswer: false))
        }
        return pairs
    }

    @Test func sweepCountsAreConsistent() throws {
        let pairs = Self.synthetic(seed: 1)
        let points = try ThresholdCalibrator.sweep(pairs)
        #expect(points.map(\.threshold) == points.map(\.threshold).sorted())
        for (a, b) in zip(points, points.dropFirst()) {
            #expect(a.hits >= b.hits && a.falseHits >= b.falseHits && a.trueHits >= b.trueHits)
        }
        let last = try #require(points.last)
        #expect(last.hits == 0 && last.precision == 1 && last.falseHitRate == 0)
        let t: Float = 0.8
        let manual = pairs.filter { $0.similarity >= t && $0.guardsPassed }
        let point = try #require(try ThresholdCalibrator.sweep(pairs, thresholds: [t]).first)
        #expect(point.hits == manual.count)
        #expect(point.falseHits == manual.filter { !$0.isSameAnswer }.count)
        #expect(point.positives == 500 && point.negatives == 500)
    }

    @Test func recommendsTheLowestThresholdMeetingTheTarget() throws {
        let pairs = Self.synthetic(seed: 2)
        let report = try ThresholdCalibrator.calibrate(pairs, target: 0.02)
        #expect(report.recommended.falseHitRate <= 0.02)
        // Nothing lower meets the target.
        for p in report.points where p.threshold < report.recommended.threshold {
            #expect(p.falseHitRate > 0.02)
        }
        #expect(report.recommended.recall > 0.5)
        // Without guards the tricky near-misses force a higher threshold and lose recall.
        let unguarded = try ThresholdCalibrator.calibrate(pairs, target: 0.02, useGuards: false)
        #expect(unguarded.recommended.threshold > report.recommended.threshold)
        #expect(unguarded.recommended.recall < report.recommended.recall)
    }

    @Test func candidateFloorDropsAtMostTheAllowedShareOfReusablePairs() throws {
        let pairs = Self.synthetic(seed: 4)
        let positives = pairs.filter(\.isSameAnswer)
        for keep in [1.0, 0.995, 0.99, 0.9, 0.5] {
            let floor = try ThresholdCalibrator.candidateFloor(pairs, keep: keep)
            let below = positives.filter { $0.similarity < floor }.count
            #expect(Double(below) <= Double(positives.count) * (1 - keep) + 1e-9, "keep \(keep): \(below) below \(floor)")
            // The largest such value on the 0.01 grid: one step up drops too many.
            let belowNext = positives.filter { $0.similarity < floor + 0.01 }.count
            #expect(Double(belowNext) > Double(positives.count) * (1 - keep), "keep \(keep)")
            #expect(floor == (floor * 100).rounded() / 100)
        }
        // keep 1: nothing reusable is below the floor, i.e. the floor is at most the lowest positive.
        let lowest = try #require(positives.map(\.similarity).min())
        #expect(try ThresholdCalibrator.candidateFloor(pairs, keep: 1) <= lowest)
        #expect(throws: CacheError.self) { try ThresholdCalibrator.candidateFloor(pairs, keep: 0) }
        #expect(throws: CacheError.self) { try ThresholdCalibrator.candidateFloor(pairs.filter { !$0.isSameAnswer }, keep: 0.99) }
    }

    @Test func falseDiscoveryObjectiveAndExplicitGrid() throws {
        let pairs = Self.synthetic(seed: 3)
        let grid = stride(from: Float(0.5), through: 1.0, by: 0.01).map { $0 }
        let report = try ThresholdCalibrator.calibrate(pairs, target: 0.01, objective: .falseDiscoveryRate, thresholds: grid)
        #expect(report.recommended.falseDiscoveryRate <= 0.01)
        let zero = try ThresholdCalibrator.calibrate(pairs, target: 0, thresholds: [0.1])
        #expect(zero.recommended.falseHits == 0)
    }

    @Test func rejectsBadInput() {
        #expect(throws: CacheError.noCalibrationData) { try ThresholdCalibrator.sweep([]) }
        #expect(throws: CacheError.self) {
            try ThresholdCalibrator.calibrate([LabelledPair(similarity: 0.5, guardsPassed: true, isSameAnswer: true)], target: 2)
        }
    }
}
