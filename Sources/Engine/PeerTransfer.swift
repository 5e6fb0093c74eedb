import Foundation
import LoRAAdapters
import ModelStore

/// SHA-256 (ModelStore's) as the wire codec's digest.
struct PeerSHA256: WireDigest {
    var sha = SHA256()
    mutating func update(_ bytes: UnsafeRawBufferPointer) { sha.update(bytes) }
    mutating func finalizeHex() -> String { sha.finalize().map { String(format: "%02x", $0) }.joined() }
}

/// A resident adapter's weights, ready to stream to a peer (`GET /v1/adapters/{name}/weights`).
/// Holds the immutable in-memory weights, not a copy: encoding happens chunk by chunk on `write`.
public struct AdapterExport: Sendable {
    public let name: String
    public let rank: Int
    /// Header prefix (magic, version, JSON header with size and SHA-256).
    public let prefix: [UInt8]
    public let payloadBytes: Int
    let weights: LoRAAdapter

    /// SHA-256 of the payload (lower-case hex), as sent in the header.
    public let sha256Hex: String

    /// Encodes `weights` for `name`. Without `sha256Hex` (a digest of these same weights from an
    /// earlier export) the payload is hashed here: one pass over memory, no disk.
    public init(name: String, weights: LoRAAdapter, sha256Hex: String? = nil) throws(AdapterWireError) {
        let hex: String
        if let sha256Hex {
            hex = sha256Hex
        } else {
            var digest = PeerSHA256()
            AdapterWire.digestPayload(of: weights, into: &digest)
            hex = digest.finalizeHex()
        }
        self.sha256Hex = hex
        prefix = try AdapterWire.encodePrefix(AdapterWire.header(name: name, adapter: weights, sha256Hex: hex))
        self.name = name
        rank = weights.rank
        payloadBytes = AdapterWire.payloadByteCount(of: weights)
        self.weights = weights
    }

    /// Bytes of the whole stream (the HTTP Content-Length).
    public var totalBytes: Int { prefix.count + payloadBytes }

    /// Streams the prefix then the payload, one tensor at a time.
    public func write(to sink: ([UInt8]) async throws -> Void) async throws {
        try await sink(prefix)
        try await AdapterWire.writePayload(of: weights, to: sink)
    }
}

/// Weights received from a peer, verified (size, SHA-256, shapes) and ready to register.
public struct ReceivedAdapter: Sendable {
    public let header: AdapterWireHeader
    /// The decoded weights (bit-identical to the sender's in-memory copy).
    public let weights: LoRAAdapter
    public var rank: Int { weights.rank }
    public var byteCount: Int { weights.byteCount }
}

/// Incremental receiver for one peer stream; bounded by `maxPayloadBytes`.
public struct AdapterReceiver {
    var decoder: AdapterWireDecoder<PeerSHA256>

    public init(maxPayloadBytes: Int, base: BaseModelShape? = nil, maxRank: Int? = nil) {
        decoder = AdapterWireDecoder(maxPayloadBytes: maxPayloadBytes, base: base, maxRank: maxRank, digest: PeerSHA256())
    }

    public mutating func feed(_ bytes: [UInt8]) throws(AdapterWireError) { try decoder.feed(bytes) }

    /// Feeds bytes in place (no copy before they land in the tensor being filled).
    public mutating func feed(_ bytes: UnsafeRawBufferPointer) throws(AdapterWireError) { try decoder.feed(bytes) }

    public var receivedPayloadBytes: Int { decoder.receivedPayloadBytes }

    public mutating func finish() throws(AdapterWireError) -> ReceivedAdapter {
        let (header, weights) = try decoder.finish()
        return ReceivedAdapter(header: header, weights: weights)
    }
}

/// The wire codec's error, under a name front ends can use without importing LoRAAdapters.
public typealias AdapterStreamError = AdapterWireError
