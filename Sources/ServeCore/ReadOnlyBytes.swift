/// Immutable bytes kept alive by their owner (an array, a `Data`, or a memory-mapped file).
///
/// Readers in layer 0 (GGUF, safetensors) work over `buffer`; only layer-1 code creates the
/// memory-mapped kind (see `ModelStore.MappedFile`).
public final class ReadOnlyBytes: @unchecked Sendable {
    // @unchecked Sendable: `buffer` is never written after init and the storage it points to is
    // either owned by this object (freed in deinit) or by `release`'s captured owner.
    public let buffer: UnsafeRawBufferPointer
    private let release: @Sendable (UnsafeRawBufferPointer) -> Void

    /// Copies `bytes` into storage owned by this object.
    public init(copying bytes: some Collection<UInt8>) {
        let count = bytes.count
        let raw = UnsafeMutableRawBufferPointer.allocate(byteCount: max(count, 1), alignment: 64)
        let copied: Void? = bytes.withContiguousStorageIfAvailable { source in
            if let base = source.baseAddress, let target = raw.baseAddress { target.copyMemory(from: base, byteCount: count) }
        }
        if copied == nil { _ = raw.initializeMemory(as: UInt8.self, from: bytes) }
        self.buffer = UnsafeRawBufferPointer(start: raw.baseAddress, count: count)
        self.release = { $0.deallocate() }
    }

    /// Wraps memory owned elsewhere; `release` runs once when this object dies.
    public init(unsafeBuffer: UnsafeRawBufferPointer, release: @escaping @Sendable (UnsafeRawBufferPointer) -> Void) {
        self.buffer = unsafeBuffer
        self.release = release
    }

    deinit { release(buffer) }

    public var count: Int { buffer.count }

    /// Runs `body` with the bytes while guaranteeing this owner outlives the call (reading
    /// `buffer` alone does not: the owner may be released right after the property read).
    public func withBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        defer { withExtendedLifetime(self) {} }
        return try body(buffer)
    }
}
