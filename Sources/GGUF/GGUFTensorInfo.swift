/// One tensor's header entry. Sizes are computed, overflow-checked, once at construction.
public struct GGUFTensorInfo: Sendable, Equatable {
    public let name: String
    /// As in the file: innermost first (`[576, 1536]` is 1536 rows of 576).
    public let dimensions: [Int]
    public let type: GGMLType
    /// Byte offset relative to the file's data section.
    public let offset: Int
    /// Product of the dimensions (1 for a zero-dimensional tensor).
    public let elementCount: Int
    /// Bytes the tensor occupies: whole blocks of `type`.
    public let byteCount: Int

    /// Validates the shape against `type` (innermost dimension a whole number of blocks, sizes
    /// within `Int`). The offset is not checked here; `GGUFFile` checks it against its data.
    public init(name: String, dimensions: [Int], type: GGMLType, offset: Int) throws(GGUFError) {
        let raw = dimensions.map { UInt64(truncatingIfNeeded: $0) }
        guard dimensions.allSatisfy({ $0 >= 0 }) else {
            throw .invalidDimensions(tensor: name, dimensions: raw, reason: "negative dimension")
        }
        guard offset >= 0 else {
            throw .tensorOutOfRange(tensor: name, offset: UInt64(truncatingIfNeeded: offset), byteCount: 0, dataSectionBytes: 0)
        }
        let sizes = try Self.sizes(name: name, rawDimensions: raw, type: type)
        self.init(name: name, dimensions: sizes.dimensions, type: type, offset: offset,
                  elementCount: sizes.elementCount, byteCount: sizes.byteCount)
    }

    init(name: String, dimensions: [Int], type: GGMLType, offset: Int, elementCount: Int, byteCount: Int) {
        self.name = name
        self.dimensions = dimensions
        self.type = type
        self.offset = offset
        self.elementCount = elementCount
        self.byteCount = byteCount
    }

    /// Shape checks shared by the reader and the writer. Dimensions are int64 in ggml, so any
    /// value above `Int64.max` is a negative dimension.
    static func sizes(name: String, rawDimensions: [UInt64], type: GGMLType)
        throws(GGUFError) -> (dimensions: [Int], elementCount: Int, byteCount: Int)
    {
        var dimensions: [Int] = []
        dimensions.reserveCapacity(rawDimensions.count)
        var elements = 1
        var overflowed = false
        for raw in rawDimensions {
            guard let d = Int(exactly: raw), d <= Int(Int64.max) else {
                throw .invalidDimensions(tensor: name, dimensions: rawDimensions, reason: "dimension exceeds int64")
            }
            dimensions.append(d)
            let (product, overflow) = elements.multipliedReportingOverflow(by: d)
            // Keep scanning after an overflow: a later zero dimension makes the tensor empty,
            // but ggml multiplies in int64 too, so treat any intermediate overflow as fatal.
            if overflow { overflowed = true }
            elements = product
        }
        if overflowed { throw .sizeOverflow(tensor: name, dimensions: rawDimensions) }
        let innermost = dimensions.first ?? 1
        guard innermost % type.blockElements == 0 else {
            throw .invalidDimensions(
                tensor: name, dimensions: rawDimensions,
                reason: "innermost dimension \(innermost) is not a multiple of the \(type.name) block size \(type.blockElements)")
        }
        guard let bytes = type.byteCount(elementCount: elements) else {
            throw .sizeOverflow(tensor: name, dimensions: rawDimensions)
        }
        return (dimensions, elements, bytes)
    }
}
