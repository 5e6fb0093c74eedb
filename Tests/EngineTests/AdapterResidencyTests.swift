import Engine
import Foundation
import LoRAAdapters
import ServeCore
import Testing
import TestSupport

/// Residency like a GPU engine: a bounded active set with LRU eviction, pinning, counters.
@Suite(.serialized) struct AdapterResidencyTests {
    @Test func pinnedAdapterIsNeverEvictedWhileOthersRotate() async throws {
        let fx = try EngineFixture()
        let engine = try fx.engine(maxActive: 2)
        for name in ["a", "b", "c"] { try fx.writeAdapter(name, rank: 2, seed: UInt64(name.utf8.first ?? 0)) }
        for name in ["a", "b", "c"] { _ = try await engine.loadAdapter(name: name, path: name) }
        try engine.pin("a", true)
        var id: UInt64 = 1
        for name in ["a", "b", "c", "b", "c", "a", "b"] {
            let out = try await engine.complete([1, 100, 101], adapter: name, maxTokens: 2, id: id)
            #expect(out.tokens.count == 2)
            id += 1
        }
        let infos = Dictionary(uniqueKeysWithValues: await engine.adapters().map { ($0.name, $0) })
        #expect(infos["a"]?.pinned == true)
        #expect(infos["a"]?.evictionCount == 0, "a pinned adapter stays active")
        #expect(infos["a"]?.residency == .active)
        #expect((infos["b"]?.evictionCount ?? 0) + (infos["c"]?.evictionCount ?? 0) >= 2, "b and c share the one free slot")
        #expect(infos["a"]?.requests == 2 && infos["b"]?.requests == 3 && infos["c"]?.requests == 2)
        #expect(infos.values.allSatisfy { $0.loadCount >= 1 && ($0.lastLoadSeconds ?? -1) >= 0 })
        engine.shutdown()
    }
}
