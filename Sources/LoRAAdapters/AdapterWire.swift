import Foundation

/// The peer-transfer wire format: one resident adapter's weights, streamed worker to worker.
///
/// ```
/// "LSAW"  u16 version (LE)  u16 reserved  u32 header length (LE)  header JSON (UTF-8)
/// payload: for each header tensor in order, lora_A [rank × input] then lora_B [output × rank],
///          little-endian f32, row-major (GGUF row order, as held in memory)
/// ```
/// The header carries the byte count and SHA-256 of the payload, so a receiver can bound what it
/// accepts before reading the weights and verify them before registering.
public enum AdapterWire {
    public static let magic: [UInt8] = Array("LSAW".utf8)
    public static let version = 1
    /// Magic, version, reserved, header length.
    public static let prefixBytes = 12

    /// The tensors of `adapter` in wire order (layer, then module order).
    public static func tensors(of adapter: LoRAAdapter) -> [(layer: Int, module: LoRAModule, matrices: LoRAMatrices)] {
        var out: [(layer: Int, module: LoRAModule, matrices: LoRAMatrices)] = []
        for (layer, modules) in adapter.modules.enumerated() {
            for module in modules.keys.sorted() {
                if let m = modules[module] { out.append((layer, module, m)) }
            }
        }
        return out
    }

    public static func payloadByteCount(of adapter: LoRAAdapter) -> Int {
        tensors(of: adapter).reduce(0) { $0 + $1.matrices.byteCount }
    }

    /// Hashes the payload exactly as `writePayload` emits it.
    public static func digestPayload<D: WireDigest>(of adapter: LoRAAdapter, into digest: inout D) {
        for t in tensors(of: adapter) {
            #if _endian(little)
            t.matrices.a.withUnsafeBytes { digest.update($0) }
            t.matrices.b.withUnsafeBytes { digest.update($0) }
            #else
            littleEndianBytes(t.matrices.a).withUnsafeBytes { digest.update($0) }
            littleEndianBytes(t.matrices.b).withUnsafeBytes { digest.update($0) }
            #endif
        }
    }

    public static func header(name: String, adapter: LoRAAdapter, sha256Hex: String) -> AdapterWireHeader {
        AdapterWireHeader(name: name, format: adapter.format.rawValue, baseModel: adapter.baseModel, rank: adapter.rank,
                          alpha: adapter.alpha, scale: adapter.scales.first ?? 0, layers: adapter.modules.count,
                          tensors: tensors(of: adapter).map {
                              .init(layer: $0.layer, module: $0.module.hfName, rank: $0.matrices.rank, input: $0.matrices.input,
                                    output: $0.matrices.output, scale: $0.matrices.scale)
                          },
                          payloadBytes: payloadByteCount(of: adapter), sha256: sha256Hex)
    }

    /// Magic, version, length and the JSON header.
    public static func encodePrefix(_ header: AdapterWireHeader) throws(AdapterWireError) -> [UInt8] {
        let json: [UInt8]
        do {
            let encoder = JSONEncoder()
            encoder.keyEncodingStrategy = .convertToSnakeCase
            encoder.outputFormatting = [.sortedKeys]
            json = Array(try encoder.encode(header))
        } catch {
            throw .malformedHeader("cannot encode: \(error)")
        }
        var out = magic
        out += [UInt8(version & 0xff), UInt8(version >> 8), 0, 0]
        let n = UInt32(json.count)
        out += [UInt8(n & 0xff), UInt8((n >> 8) & 0xff), UInt8((n >> 16) & 0xff), UInt8(n >> 24)]
        return out + json
    }

    /// Calls `sink` with the payload, one tensor (A or B) at a time: bounded extra memory.
    public static func writePayload(of adapter: LoRAAdapter, to sink: ([UInt8]) async throws -> Void) async throws {
        for t in tensors(of: adapter) {
            try await sink(littleEndianBytes(t.matrices.a))
            try await sink(littleEndianBytes(t.matrices.b))
        }
    }

    /// The whole stream in memory (tests, small adapters).
    public static func encode<D: WireDigest>(name: String, adapter: LoRAAdapter, digest: D) throws(AdapterWireError) -> [UInt8] {
        var d = digest
        digestPayload(of: adapter, into: &d)
        var out = try encodePrefix(header(name: name, adapter: adapter, sha256Hex: d.finalizeHex()))
        out.reserveCapacity(out.count + payloadByteCount(of: adapter))
        for t in tensors(of: adapter) {
            out += littleEndianBytes(t.matrices.a)
            out += littleEndianBytes(t.matrices.b)
        }
        return out
    }

    static func littleEndianBytes(_ floats: [Float]) -> [UInt8] {
        #if _endian(little)
        return floats.withUnsafeBytes { Array($0) }
        #else
        return floats.map(\.bitPattern.littleEndian).withUnsafeBytes { Array($0) }
        #endif
    }
}

/// The JSON header of an adapter stream (snake_case on the wire).
public struct AdapterWireHeader: Codable, Sendable, Equatable {
    public struct Tensor: Codable, Sendable, Equatable {
        public var layer: Int
        /// PEFT module name (`q_proj`).
        public var module: String
        public var rank: Int
        public var input: Int
        public var output: Int
        public var scale: Float
        /// Element type of both matrices; only `F32` so far.
        public var dtype: String = "F32"

        public var aShape: [Int] { [rank, input] }
        public var bShape: [Int] { [output, rank] }
    }

    public var name: String
    public var format: String
    public var baseModel: String?
    public var rank: Int
    public var alpha: Float
    public var scale: Float
    public var layers: Int
    public var tensors: [Tensor]
    public var payloadBytes: Int
    /// Lower-case hex SHA-256 of the payload.
    public var sha256: String
}
