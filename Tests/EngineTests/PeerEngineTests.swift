import Engine
import Foundation
import LoRAAdapters
import ServeCore
import Testing

/// Engine side of peer transfer: export from memory, register from a verified stream, same
/// outputs as the source, and the peer copy living under the normal residency policy.
@Suite struct PeerEngineTests {
    static func transfer(_ name: String, from source: BatchEngine, to target: BatchEngine, source url: String = "http://a:1") async throws -> AdapterInfo {
        let export = try await source.exportAdapter(name: name)
        var receiver = target.makeAdapterReceiver(maxPayloadBytes: 1 << 26)
        let sink = ByteSink()
        try await export.write { sink.bytes += $0 }
        try receiver.feed(sink.bytes)
        return try await target.registerAdapter(name: name, received: try receiver.finish(), source: "peer:" + url, loadSeconds: 0.01)
    }

    @Test func fetchedAdapterGivesTheSourcesLogits() async throws {
        let fixture = try EngineFixture()
        try fixture.writeAdapter("sql", rank: 8, seed: 11)
        let source = try fixture.engine(), target = try fixture.engine()
        defer { source.shutdown(); target.shutdown() }
        _ = try await source.loadAdapter(name: "sql", path: "sql")
        let info = try await Self.transfer("sql", from: source, to: target)
        #expect(info.path == "peer:http://a:1")
        #expect(info.rank == 8)
        #expect(await target.adapters().first { $0.name == "sql" }?.path == "peer:http://a:1")
        let prompt: [TokenID] = [1, 5, 9, 13, 2]
        let a = try await source.complete(prompt, adapter: "sql", maxTokens: 5, logprobs: 4, id: 1)
        let b = try await target.complete(prompt, adapter: "sql", maxTokens: 5, logprobs: 4, id: 2)
        let base = try await target.complete(prompt, maxTokens: 5, logprobs: 4, id: 3)
        #expect(a.tokens == b.tokens)
        #expect(a.logprobs == b.logprobs)
        #expect(a.logprobs != base.logprobs, "the adapter must change the output for this test to mean anything")
    }

    @Test func exportNeedsAResidentAdapterAndRegisterRefusesDuplicates() async throws {
        let fixture = try EngineFixture()
        try fixture.writeAdapter("x", rank: 4, seed: 2)
        let source = try fixture.engine(), target = try fixture.engine()
        defer { source.shutdown(); target.shutdown() }
        await #expect(throws: ServiceError.unknownAdapter("nope")) { _ = try await source.exportAdapter(name: "nope") }
        _ = try await source.loadAdapter(name: "x", path: "x")
        _ = try await Self.transfer("x", from: source, to: target)
        await #expect(throws: ServiceError.adapterExists("x")) { _ = try await Self.transfer("x", from: source, to: target) }
    }

    /// The sender hashes once per registration: a second export reuses the digest; reloading the
    /// name with other weights hashes again.
    @Test func exportDigestIsCachedPerRegistration() async throws {
        let fixture = try EngineFixture()
        try fixture.writeAdapter("one", rank: 4, seed: 30)
        try fixture.writeAdapter("two", rank: 4, seed: 31)
        let engine = try fixture.engine()
        defer { engine.shutdown() }
        _ = try await engine.loadAdapter(name: "x", path: "one")
        let first = try await engine.exportAdapter(name: "x"), again = try await engine.exportAdapter(name: "x")
        #expect(first.sha256Hex == again.sha256Hex && first.prefix == again.prefix)
        try await engine.unloadAdapter(name: "x")
        _ = try await engine.loadAdapter(name: "x", path: "two")
        let other = try await engine.exportAdapter(name: "x")
        #expect(other.sha256Hex != first.sha256Hex)
        // The new digest matches what a receiver computes.
        var receiver = engine.makeAdapterReceiver(maxPayloadBytes: 1 << 26)
        let sink = ByteSink()
        try await other.write { sink.bytes += $0 }
        try receiver.feed(sink.bytes)
        #expect(try receiver.finish().header.sha256 == other.sha256Hex)
    }

    /// A peer copy has no file: evicting it from host memory forgets it rather than leaving an
    /// entry that can never load again.
    @Test func evictedPeerCopiesAreForgotten() async throws {
        let fixture = try EngineFixture()
        for (i, n) in ["p1", "p2", "d1"].enumerated() { try fixture.writeAdapter(n, rank: 4, seed: UInt64(i + 20)) }
        let source = try fixture.engine()
        var config = EngineFixture.config()
        config.maxHostAdapters = 2
        config.maxActiveAdapters = 1
        let target = try BatchEngine(model: fixture.model, config: config, adapterRoot: fixture.adapterRoot)
        defer { source.shutdown(); target.shutdown() }
        _ = try await source.loadAdapter(name: "p1", path: "p1")
        _ = try await Self.transfer("p1", from: source, to: target)
        _ = try await target.loadAdapter(name: "d1", path: "d1")
        _ = try await target.loadAdapter(name: "d2", path: "p2")
        let names = await target.adapters().map(\.name)
        #expect(!names.contains("p1"), "\(names)")
        #expect(names.contains("d1") && names.contains("d2"))
    }
}
