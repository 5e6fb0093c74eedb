import Kernels
import ServeCore
import Testing
import LoRAAdapters

@Suite struct LoRABatchTests {
    private func adapter(rank: Int, seed: UInt64, targets: [LoRAModule] = LoRAModule.allCases) throws -> LoRAAdapter {
        let (json, weights) = try makePEFT(rank: rank, targets: targets, config: PEFTConfig(r: rank, lora_alpha: Float(rank) * 2, target_modules: .names(targets.map(\.hfName))))
        _ = seed
        return try PEFTAdapterReader.read(configJSON: json, weights: weights, base: tinyBase, maxRank: 64)
    }

    /// Every mode computes the same deltas (padding is zeros); only the work differs.
    @Test(arguments: LoRAComputeMode.allCases, [1, 2])
    func matchesScalarReference(mode: LoRAComputeMode, threads: Int) throws {
        let small = try adapter(rank: 2, seed: 1)
        let large = try adapter(rank: 8, seed: 2, targets: [.q, .down])
        let capacity = mode == .exact ? 0 : 16
        let preparedSmall = PreparedAdapter(small, capacityRank: capacity)
        let preparedLarge = PreparedAdapter(large, capacityRank: capacity)
        // tokens 0..<3 base, 3..<5 small, 5..<9 large
        let batch = LoRABatch(mode: mode, maxTokens: 16, maxRank: 16)
        batch.setSegments([LoRASegment(tokenStart: 3, tokenCount: 2, adapter: preparedSmall),
                           LoRASegment(tokenStart: 5, tokenCount: 4, adapter: preparedLarge)])
        #expect(batch.stepMaxRank == 8)
        var rng = SplitMix64(seed: 9)
        for module in [LoRAModule.q, .k, .down] {
            let (input, output) = tinyBase.dimensions(of: module)
            let x = (0..<(9 * input)).map { _ in rng.nextUnitFloat() - 0.5 }
            var y = [Float](repeating: 1, count: 9 * output)
            let pool = ThreadPool(threadCount: threads)
            x.withUnsafeBufferPointer { xp in
                y.withUnsafeMutableBufferPointer { yp in
                    batch.apply(layer: 1, module: module, x: xp.baseAddress!, y: yp.baseAddress!, tokens: 9, pool: pool)
                }
            }
            for t in 0..<9 {
                let owner: LoRAAdapter? = t < 3 ? nil : (t < 5 ? small : large)
                let expected: [Float]
                if let m = owner?.matrices(layer: 1, module: module) {
                    expected = LoRABatch.referenceDelta(m, x: Array(x[(t * input)..<((t + 1) * input)])).map { $0 + 1 }
                } else {
                    expected = [Float](repeating: 1, count: output)
                }
                let got = Array(y[(t * output)..<((t + 1) * output)])
                let worst = zip(got, expected).map { abs($0 - $1) }.max() ?? 0
                #expect(worst < 1e-4, "mode \(mode) module \(module) token \(t): max error \(worst)")
            }
        }
    }

    @Test func effectiveRankPerMode() throws {
        let small = try adapter(rank: 2, seed: 1)
        let large = try adapter(rank: 8, seed: 2)
        for mode in LoRAComputeMode.allCases {
            let capacity = mode == .exact ? 0 : 32
            let s = PreparedAdapter(small, capacityRank: capacity), l = PreparedAdapter(large, capacityRank: capacity)
            let batch = LoRABatch(mode: mode, maxTokens: 4, maxRank: 32)
            batch.setSegments([LoRASegment(tokenStart: 0, tokenCount: 1, adapter: s), LoRASegment(tokenStart: 1, tokenCount: 1, adapter: l)])
            let m = try #require(s.module(layer: 0, .q))
            switch mode {
            case .exact: #expect(batch.effectiveRank(of: m) == 2)
            case .padded: #expect(batch.effectiveRank(of: m) == 32)
            case .batchMax: #expect(batch.effectiveRank(of: m) == 8)
            }
        }
    }

    @Test func preparedBytesReflectReservedRank() throws {
        let small = try adapter(rank: 2, seed: 1)
        #expect(PreparedAdapter(small, capacityRank: 16).byteCount == 8 * PreparedAdapter(small, capacityRank: 0).byteCount)
    }
}
