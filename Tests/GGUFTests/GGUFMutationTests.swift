import GGUF
import ServeCore
import Testing

/// Seeded mutations of small valid files: every input must be accepted with its invariants
/// intact or rejected with a `GGUFError` (the typed throw makes any other error impossible; a
/// crash fails the whole run). The `GGUFFuzz` harness runs the same loop for longer.
@Suite struct GGUFMutationTests {
    @Test(arguments: [(UInt64(1), 32, UInt32(3)), (2, 64, 2), (3, 1, 3)])
    func mutationsNeverBreakInvariants(seed: UInt64, alignment: Int, version: UInt32) {
        let base = GGUFFuzzing.smallSeed(alignment: alignment, version: version)
        #expect(GGUFFuzzing.check(base) == .accepted)
        var rng = SplitMix64(seed: seed)
        var kinds: [String: Int] = [:]
        for _ in 0..<1500 {
            let input = GGUFFuzzing.mutate(base, rng: &rng)
            switch GGUFFuzzing.check(input) {
            case .accepted: kinds["accepted", default: 0] += 1
            case .rejected(let error): kinds[error.kind, default: 0] += 1
            case .invariantViolated(let what): Issue.record("invariant violated: \(what)")
            }
        }
        // The mutator must reach deep into the format, not just trip the magic check.
        #expect(kinds.count >= 8, "\(kinds)")
        #expect(kinds["accepted", default: 0] > 0)
    }

    @Test func mutationIsDeterministicPerSeed() {
        let base = GGUFFuzzing.smallSeed()
        var a = SplitMix64(seed: 9), b = SplitMix64(seed: 9)
        for _ in 0..<50 { #expect(GGUFFuzzing.mutate(base, rng: &a) == GGUFFuzzing.mutate(base, rng: &b)) }
    }

    @Test func hugeLengthFieldsAtEveryOffsetAreRejected() {
        let base = GGUFFuzzing.smallSeed()
        for position in stride(from: 4, to: min(base.count, 600), by: 1) {
            var input = base
            for i in 0..<8 where position + i < input.count { input[position + i] = 0xFF }
            if case .invariantViolated(let what) = GGUFFuzzing.check(input) { Issue.record("offset \(position): \(what)") }
        }
    }
}
