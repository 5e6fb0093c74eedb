/// Row-major weight matrix (rows × cols); each row is `cols / format.blockElements` consecutive
/// blocks, as in GGUF (whose dims list it as `[cols, rows]`).
///
/// The memory is borrowed (usually an mmap'd GGUF file); the owner keeps it alive and unchanged
/// while any `WeightMatrix` refers to it.
public struct WeightMatrix: @unchecked Sendable {
    // @unchecked Sendable: the struct only holds a read-only pointer to memory that its owner keeps
    // alive and never mutates while kernels read it, so sharing it across threads is race-free.
    public let format: WeightFormat
    public let rows: Int
    public let cols: Int
    public let data: UnsafeRawPointer

    /// Bytes per row (`cols / blockElements * blockBytes`).
    public var rowBytes: Int { cols / format.blockElements * format.blockBytes }

    /// Total bytes of the matrix.
    public var byteCount: Int { rowBytes * rows }

    /// - Throws: `KernelError` if a dimension is not positive, `cols` is not block aligned, or
    ///   the byte count overflows.
    public init(format: WeightFormat, rows: Int, cols: Int, data: UnsafeRawPointer) throws(KernelError) {
        guard rows > 0, cols > 0 else { throw .invalidShape(rows: rows, cols: cols) }
        guard cols % format.blockElements == 0 else {
            throw .columnsNotBlockAligned(format: format, cols: cols, blockElements: format.blockElements)
        }
        let (rowBytes, o1) = (cols / format.blockElements).multipliedReportingOverflow(by: format.blockBytes)
        let (_, o2) = rowBytes.multipliedReportingOverflow(by: rows)
        guard !o1, !o2 else { throw .sizeOverflow(rows: rows, cols: cols) }
        self.format = format
        self.rows = rows
        self.cols = cols
        self.data = data
    }

    /// Start of row `row` (no bounds check; callers pass `0..<rows`).
    @inline(__always)
    func rowPointer(_ row: Int) -> UnsafeRawPointer { data + row * rowBytes }
}
