import ServeCore

/// A parsed GGUF file (versions 2 and 3, little-endian): metadata, tensor directory and a view of
/// the tensor data. Parsing validates everything up front, so every accessor is total.
///
/// The file's bytes are referenced, not copied: `data(of:)` returns views into `bytes`, valid
/// while this value (or another holder of `bytes`) is alive.
public struct GGUFFile: Sendable {
    public let bytes: ReadOnlyBytes
    public let version: UInt32
    /// `general.alignment`, or 32 when absent.
    public let alignment: Int
    public let metadata: [String: GGUFValue]
    /// Keys in file order.
    public let metadataKeys: [String]
    /// Tensors in file order.
    public let tensors: [GGUFTensorInfo]
    /// Absolute offset of the data section (the end of the header, rounded up to `alignment`).
    public let dataOffset: Int
    private let tensorIndex: [String: Int]

    static let magic: UInt32 = 0x4655_4747  // "GGUF" read little-endian
    static let defaultAlignment = 32

    /// Parses and validates `bytes`; throws on any truncated, corrupt or out-of-limits content.
    public init(bytes: ReadOnlyBytes, limits: GGUFLimits = .init()) throws(GGUFError) {
        var parser = GGUFParser(buffer: bytes.buffer, limits: limits)
        let header = try parser.parse()
        self.bytes = bytes
        self.version = header.version
        self.alignment = header.alignment
        self.metadata = header.metadata
        self.metadataKeys = header.metadataKeys
        self.tensors = header.tensors
        self.dataOffset = header.dataOffset
        self.tensorIndex = header.tensorIndex
    }

    public func tensor(named name: String) -> GGUFTensorInfo? {
        tensorIndex[name].map { tensors[$0] }
    }

    /// The tensor's bytes. Ranges of this file's tensors were validated at init; a tensor from
    /// elsewhere whose range does not fit this file gets an empty buffer rather than a bad view.
    public func data(of tensor: GGUFTensorInfo) -> UnsafeRawBufferPointer {
        let buffer = bytes.buffer
        guard tensor.offset >= 0, tensor.byteCount >= 0 else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        let (start, o1) = dataOffset.addingReportingOverflow(tensor.offset)
        let (end, o2) = start.addingReportingOverflow(tensor.byteCount)
        guard !o1, !o2, end <= buffer.count else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(rebasing: buffer[start..<end])
    }

    public func string(_ key: String) -> String? { metadata[key]?.string }
    public func int(_ key: String) -> Int? { metadata[key]?.int }
    public func float(_ key: String) -> Double? { metadata[key]?.float }
    public func bool(_ key: String) -> Bool? { metadata[key]?.bool }
    public func strings(_ key: String) -> [String]? { metadata[key]?.strings }
}
