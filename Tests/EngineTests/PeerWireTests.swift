import Engine
import LoRAAdapters
import ServeCore
import Testing

/// The peer-transfer wire format: bit-exact round trips, and every malformed, truncated, oversize
/// or corrupted stream ending in a typed error (never a crash, never an adapter).
@Suite struct PeerWireTests {
    static let shape = BaseModelShape(layers: 3, width: 16, feedForwardWidth: 24, heads: 4, kvHeads: 2)

    static func adapter(rank: Int, seed: UInt64, targets: [LoRAModule] = [.q, .v, .down]) -> LoRAAdapter {
        var rng = SplitMix64(seed: seed)
        var modules: [[LoRAModule: LoRAMatrices]] = []
        for _ in 0..<shape.layers {
            var layer: [LoRAModule: LoRAMatrices] = [:]
            for m in targets {
                let (input, output) = shape.dimensions(of: m)
                let a = (0..<(rank * input)).map { _ in Float(Double(rng.next() % 20_001) / 10_000 - 1) * 0.37 }
                let b = (0..<(output * rank)).map { _ in Float(Double(rng.next() % 20_001) / 10_000 - 1) * 1e-3 }
                layer[m] = LoRAMatrices(rank: rank, input: input, output: output, scale: 2, a: a, b: b)
            }
            modules.append(layer)
        }
        return LoRAAdapter(format: .peft, baseModel: "tiny", alpha: Float(2 * rank), modules: modules)
    }

    static func stream(_ adapter: LoRAAdapter, name: String = "a") async throws -> [UInt8] {
        let export = try AdapterExport(name: name, weights: adapter)
        let box = ByteSink()
        try await export.write { box.bytes += $0 }
        #expect(box.bytes.count == export.totalBytes)
        return box.bytes
    }

    /// Feeds `bytes` in pieces of random size (1...maxChunk) and finishes.
    static func decode(_ bytes: [UInt8], maxPayload: Int = 1 << 24, seed: UInt64 = 1, maxChunk: Int = 97,
                       base: BaseModelShape? = shape) throws(AdapterWireError) -> ReceivedAdapter {
        var receiver = AdapterReceiver(maxPayloadBytes: maxPayload, base: base, maxRank: 64)
        var rng = SplitMix64(seed: seed)
        var i = 0
        while i < bytes.count {
            let n = min(Int(rng.next() % UInt64(maxChunk)) + 1, bytes.count - i)
            try receiver.feed(Array(bytes[i..<(i + n)]))
            i += n
        }
        return try receiver.finish()
    }

    static func bits(_ a: LoRAAdapter) -> [[UInt32]] {
        AdapterWire.tensors(of: a).flatMap { [$0.matrices.a.map(\.bitPattern), $0.matrices.b.map(\.bitPattern)] }
    }

    @Test(arguments: [1, 4, 16])
    func roundTripIsBitExact(rank: Int) async throws {
        let original = Self.adapter(rank: rank, seed: UInt64(rank))
        let bytes = try await Self.stream(original, name: "r\(rank)")
        let received = try Self.decode(bytes, seed: UInt64(rank))
        #expect(received.header.name == "r\(rank)")
        #expect(received.header.rank == rank)
        #expect(received.weights.alpha == original.alpha)
        #expect(received.weights.targets == original.targets)
        #expect(received.weights.scales == original.scales)
        #expect(Self.bits(received.weights) == Self.bits(original))
        #expect(received.byteCount == original.byteCount)
    }

    @Test func wholeStreamInOneFeedDecodes() async throws {
        let original = Self.adapter(rank: 3, seed: 9)
        let bytes = try await Self.stream(original)
        let received = try Self.decode(bytes, maxChunk: bytes.count)
        #expect(Self.bits(received.weights) == Self.bits(original))
    }

    @Test func truncatedStreamsAreRejected() async throws {
        let bytes = try await Self.stream(Self.adapter(rank: 2, seed: 3))
        for cut in [0, 5, AdapterWire.prefixBytes + 10, bytes.count / 2, bytes.count - 1] {
            #expect(throws: AdapterWireError.self, "cut at \(cut)") { _ = try Self.decode(Array(bytes[0..<cut])) }
        }
        do {
            _ = try Self.decode(Array(bytes.dropLast(4)))
            Issue.record("a stream 4 bytes short decoded")
        } catch {
            guard case let .truncated(expected, received) = error else { Issue.record("\(error)"); return }
            #expect(received == expected - 4)
        }
    }

    @Test func corruptedPayloadFailsTheChecksum() async throws {
        var bytes = try await Self.stream(Self.adapter(rank: 2, seed: 4))
        bytes[bytes.count - 7] ^= 0x01   // low mantissa bit of a B weight: still finite
        #expect {
            _ = try Self.decode(bytes)
        } throws: { error in
            if case .checksumMismatch = error as? AdapterWireError { true } else { false }
        }
    }

    @Test func trailingBytesAndBadMagicAreRejected() async throws {
        let bytes = try await Self.stream(Self.adapter(rank: 2, seed: 5))
        #expect(throws: AdapterWireError.trailingBytes(3)) { _ = try Self.decode(bytes + [1, 2, 3], maxChunk: bytes.count + 3) }
        var bad = bytes
        bad[0] = UInt8(ascii: "X")
        #expect(throws: AdapterWireError.badMagic) { _ = try Self.decode(bad) }
    }

    @Test func oversizePayloadIsRejectedAtTheHeader() async throws {
        let adapter = Self.adapter(rank: 4, seed: 6)
        let bytes = try await Self.stream(adapter)
        let payload = AdapterWire.payloadByteCount(of: adapter)
        var receiver = AdapterReceiver(maxPayloadBytes: payload - 1)
        // Only the prefix and header: the limit is enforced before any weight is buffered.
        let headerEnd = bytes.count - payload
        #expect(throws: AdapterWireError.payloadTooLarge(bytes: payload, limit: payload - 1)) {
            try receiver.feed(Array(bytes[0..<headerEnd]))
        }
        #expect(receiver.receivedPayloadBytes == 0)
    }

    @Test func shapesThatDoNotFitTheBaseModelAreRejected() async throws {
        let bytes = try await Self.stream(Self.adapter(rank: 2, seed: 7))
        let other = BaseModelShape(layers: 3, width: 32, feedForwardWidth: 24, heads: 4, kvHeads: 2)
        #expect {
            _ = try Self.decode(bytes, base: other)
        } throws: { error in
            if case .invalidTensor = error as? AdapterWireError { true } else { false }
        }
        // And a rank above the receiver's maximum.
        let big = try await Self.stream(Self.adapter(rank: 65, seed: 8, targets: [.q]))
        #expect(throws: AdapterWireError.self) { _ = try Self.decode(big) }
    }

    /// Random byte flips, cuts and insertions: a typed error or (when only an unchecked header
    /// field changed) a decodable adapter, never a crash.
    @Test func fuzzedStreamsNeverCrash() async throws {
        let bytes = try await Self.stream(Self.adapter(rank: 2, seed: 10))
        var rng = SplitMix64(seed: 42)
        var rejected = 0
        for round in 0..<400 {
            var mutated = bytes
            switch rng.next() % 3 {
            case 0:
                for _ in 0..<(1 + Int(rng.next() % 4)) {
                    let i = Int(rng.next() % UInt64(mutated.count))
                    mutated[i] = UInt8(truncatingIfNeeded: rng.next())
                }
            case 1:
                mutated = Array(mutated[0..<Int(rng.next() % UInt64(mutated.count))])
            default:
                let i = Int(rng.next() % UInt64(mutated.count))
                mutated.insert(UInt8(truncatingIfNeeded: rng.next()), at: i)
            }
            do {
                _ = try Self.decode(mutated, seed: UInt64(round))
            } catch {
                rejected += 1
            }
        }
        #expect(rejected > 300)
    }
}

final class ByteSink: @unchecked Sendable {
    // Written by one task (the test's own).
    var bytes: [UInt8] = []
}
