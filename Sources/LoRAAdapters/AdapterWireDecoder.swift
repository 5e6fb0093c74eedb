import Foundation

/// Incremental decoder of an `AdapterWire` stream: feed bytes as they arrive, then `finish()`.
/// Bounded: the header length and the declared payload size are checked before any weight is
/// buffered, and bytes beyond the declared payload are an error. Validates every tensor against
/// the base model's shape and the maximum rank when given; hashes the payload with `digest`.
public struct AdapterWireDecoder<Digest: WireDigest> {
    public let maxPayloadBytes: Int
    public let maxHeaderBytes: Int
    public let base: BaseModelShape?
    public let maxRank: Int?
    private var digest: Digest

    private enum Phase { case prefix, header(length: Int), payload, done }
    private var phase: Phase = .prefix
    private var pending: [UInt8] = []
    public private(set) var header: AdapterWireHeader?
    /// Payload bytes received so far.
    public private(set) var receivedPayloadBytes = 0
    private var tensorIndex = 0
    private var inB = false
    private var a: [Float] = []
    /// The tensor (A or B) being filled, and how many of its bytes arrived.
    private var segment: [Float] = []
    private var segmentFilled = 0
    private var segmentStarted = false
    private var modules: [[LoRAModule: LoRAMatrices]] = []

    public init(maxPayloadBytes: Int, maxHeaderBytes: Int = 1 << 20, base: BaseModelShape? = nil, maxRank: Int? = nil, digest: Digest) {
        self.maxPayloadBytes = maxPayloadBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.base = base
        self.maxRank = maxRank
        self.digest = digest
    }

    public mutating func feed(_ bytes: [UInt8]) throws(AdapterWireError) {
        let rejected = bytes.withUnsafeBytes { raw -> AdapterWireError? in
            do throws(AdapterWireError) { try feed(raw); return nil } catch { return error }
        }
        if let rejected { throw rejected }
    }

    /// Feeds bytes without an intermediate copy: payload bytes go straight into the tensor being filled.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer) throws(AdapterWireError) {
        var offset = 0
        while offset < bytes.count {
            switch phase {
            case .prefix:
                offset += take(bytes, from: offset, upTo: AdapterWire.prefixBytes)
                guard pending.count == AdapterWire.prefixBytes else { continue }
                guard Array(pending[0..<4]) == AdapterWire.magic else { throw .badMagic }
                let version = Int(pending[4]) | Int(pending[5]) << 8
                guard version == AdapterWire.version else { throw .unsupportedVersion(version) }
                let length = Int(pending[8]) | Int(pending[9]) << 8 | Int(pending[10]) << 16 | Int(pending[11]) << 24
                guard length <= maxHeaderBytes else { throw .headerTooLarge(bytes: length, limit: maxHeaderBytes) }
                guard length > 0 else { throw .malformedHeader("empty header") }
                pending.removeAll(keepingCapacity: true)
                phase = .header(length: length)
            case let .header(length):
                offset += take(bytes, from: offset, upTo: length)
                guard pending.count == length else { continue }
                try acceptHeader(pending)
                pending = []
                phase = .payload
                try startTensorIfNeeded()
            case .payload:
                guard let h = header, tensorIndex < h.tensors.count else { phase = .done; continue }
                let t = h.tensors[tensorIndex]
                let segmentBytes = (inB ? t.output * t.rank : t.rank * t.input) * 4
                if !segmentStarted {
                    segment = [Float](repeating: 0, count: segmentBytes / 4)
                    segmentFilled = 0
                    segmentStarted = true
                }
                let n = min(segmentBytes - segmentFilled, bytes.count - offset)
                let source = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + n)])
                let filled = segmentFilled
                segment.withUnsafeMutableBytes { dst in
                    UnsafeMutableRawBufferPointer(rebasing: dst[filled..<(filled + n)]).copyMemory(from: source)
                }
                digest.update(source)
                segmentFilled += n
                offset += n
                receivedPayloadBytes += n
                guard segmentFilled == segmentBytes else { continue }
                try completeSegment(t)
            case .done:
                throw .trailingBytes(bytes.count - offset)
            }
        }
    }

    /// Verifies size and SHA-256 and returns the adapter. Call once, after the last `feed`.
    public mutating func finish() throws(AdapterWireError) -> (header: AdapterWireHeader, adapter: LoRAAdapter) {
        guard let h = header else {
            throw .truncated(expectedBytes: 0, receivedBytes: 0)
        }
        if case .payload = phase, tensorIndex >= h.tensors.count { phase = .done }
        guard case .done = phase, receivedPayloadBytes == h.payloadBytes else {
            throw .truncated(expectedBytes: h.payloadBytes, receivedBytes: receivedPayloadBytes)
        }
        let actual = digest.finalizeHex()
        guard actual == h.sha256.lowercased() else { throw .checksumMismatch(expected: h.sha256, actual: actual) }
        let format = LoRAAdapter.Format(rawValue: h.format) ?? .generated
        return (h, LoRAAdapter(format: format, baseModel: h.baseModel, alpha: h.alpha, modules: modules))
    }

    /// Appends up to `upTo - pending.count` bytes from `bytes[from...]`; returns how many.
    private mutating func take(_ bytes: UnsafeRawBufferPointer, from: Int, upTo: Int) -> Int {
        let n = min(upTo - pending.count, bytes.count - from)
        pending.append(contentsOf: bytes[from..<(from + n)])
        return n
    }

    private mutating func acceptHeader(_ json: [UInt8]) throws(AdapterWireError) {
        let h: AdapterWireHeader
        do {
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            h = try decoder.decode(AdapterWireHeader.self, from: Data(json))
        } catch {
            throw .malformedHeader("\(error)")
        }
        guard h.payloadBytes >= 0, h.payloadBytes <= maxPayloadBytes else {
            throw .payloadTooLarge(bytes: h.payloadBytes, limit: maxPayloadBytes)
        }
        guard h.sha256.count == 64, h.sha256.allSatisfy(\.isHexDigit) else { throw .malformedHeader("sha256 must be 64 hex digits") }
        let layerLimit = base?.layers ?? 4096
        guard (1...layerLimit).contains(h.layers) else { throw .malformedHeader("layers = \(h.layers), expected 1...\(layerLimit)") }
        guard !h.tensors.isEmpty, h.tensors.count <= h.layers * LoRAModule.allCases.count else {
            throw .malformedHeader("\(h.tensors.count) tensors for \(h.layers) layers")
        }
        var seen = Set<String>()
        var total = 0
        for t in h.tensors {
            let label = "layer \(t.layer) \(t.module)"
            guard let module = LoRAModule(hfName: t.module) else { throw .invalidTensor("\(label): unknown module") }
            guard (0..<h.layers).contains(t.layer), seen.insert(label).inserted else { throw .invalidTensor("\(label): bad or repeated layer") }
            guard t.dtype == "F32" else { throw .invalidTensor("\(label): dtype \(t.dtype), only F32 is supported") }
            guard t.rank >= 1, t.input >= 1, t.output >= 1, t.scale.isFinite else { throw .invalidTensor("\(label): empty shape or bad scale") }
            if let maxRank, t.rank > maxRank { throw .invalidTensor("\(label): rank \(t.rank) above the maximum \(maxRank)") }
            if let base {
                let (input, output) = base.dimensions(of: module)
                guard t.input == input, t.output == output else {
                    throw .invalidTensor("\(label): [\(t.output)×\(t.input)] does not fit the base model's [\(output)×\(input)]")
                }
            }
            // Overflow-checked: the sizes come from the network.
            let (sum, o1) = t.input.addingReportingOverflow(t.output)
            let (elements, o2) = sum.multipliedReportingOverflow(by: t.rank)
            let (bytes, o3) = elements.multipliedReportingOverflow(by: 4)
            let (next, o4) = total.addingReportingOverflow(bytes)
            guard !(o1 || o2 || o3 || o4), next <= maxPayloadBytes else { throw .payloadTooLarge(bytes: o4 ? Int.max : next, limit: maxPayloadBytes) }
            total = next
        }
        guard total == h.payloadBytes else { throw .sizeMismatch(declared: h.payloadBytes, computed: total) }
        header = h
        modules = Array(repeating: [:], count: h.layers)
    }

    private mutating func startTensorIfNeeded() throws(AdapterWireError) {
        if let h = header, tensorIndex >= h.tensors.count { phase = .done }
    }

    private mutating func completeSegment(_ t: AdapterWireHeader.Tensor) throws(AdapterWireError) {
        #if _endian(big)
        let floats = segment.map { Float(bitPattern: UInt32(littleEndian: $0.bitPattern)) }
        #else
        let floats = segment
        #endif
        segment = []
        segmentStarted = false
        guard floats.allSatisfy(\.isFinite) else { throw .nonFinite(tensor: "layer \(t.layer) \(t.module) lora_\(inB ? "B" : "A")") }
        if !inB {
            a = floats
            inB = true
            return
        }
        if let module = LoRAModule(hfName: t.module) {
            modules[t.layer][module] = LoRAMatrices(rank: t.rank, input: t.input, output: t.output, scale: t.scale, a: a, b: floats)
        }
        a = []
        inB = false
        tensorIndex += 1
        try startTensorIfNeeded()
    }
}
