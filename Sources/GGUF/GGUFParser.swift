/// The header parse behind `GGUFFile.init`: magic, version, counts, metadata, alignment, tensor
/// directory, then whole-file checks on tensor ranges (alignment, bounds, overlap).
struct GGUFParser {
    struct Header {
        var version: UInt32
        var alignment: Int
        var metadata: [String: GGUFValue]
        var metadataKeys: [String]
        var tensors: [GGUFTensorInfo]
        var tensorIndex: [String: Int]
        var dataOffset: Int
    }

    var reader: ByteReader
    let limits: GGUFLimits

    init(buffer: UnsafeRawBufferPointer, limits: GGUFLimits) {
        reader = ByteReader(buffer)
        self.limits = limits
    }

    mutating func parse() throws(GGUFError) -> Header {
        let magic = try reader.u32("magic")
        guard magic == GGUFFile.magic else { throw .badMagic(found: magic) }
        let version = try reader.u32("version")
        guard version == 2 || version == 3 else { throw .unsupportedVersion(version) }
        let tensorCount = try reader.count(limit: limits.maxTensorCount, kind: .tensorCount, "tensor count")
        let metadataCount = try reader.count(limit: limits.maxMetadataCount, kind: .metadataCount, "metadata count")

        let (metadata, keys) = try parseMetadata(count: metadataCount)
        let alignment = try Self.alignment(metadata["general.alignment"], limits: limits)
        let (tensors, index) = try parseTensorInfos(count: tensorCount)

        let headerEnd = reader.offset
        let fileBytes = reader.buffer.count
        // headerEnd <= fileBytes <= Int.max and alignment <= maxAlignment, so this can only
        // overflow for a buffer within `alignment` of Int.max; checked anyway.
        let (padded, overflow) = headerEnd.addingReportingOverflow(alignment - 1)
        var dataOffset = overflow ? Int.max : padded / alignment * alignment
        if dataOffset > fileBytes {
            // A file without tensors may legitimately end right after its header.
            guard tensors.isEmpty, !overflow else {
                throw .truncated(offset: headerEnd, needed: dataOffset &- headerEnd, context: "padding before the data section")
            }
            dataOffset = fileBytes
        }
        try Self.checkRanges(tensors, alignment: alignment, dataBytes: fileBytes - dataOffset)
        return Header(version: version, alignment: alignment, metadata: metadata, metadataKeys: keys,
                      tensors: tensors, tensorIndex: index, dataOffset: dataOffset)
    }

    // MARK: Metadata

    private mutating func parseMetadata(count: Int) throws(GGUFError) -> ([String: GGUFValue], [String]) {
        // Each pair takes at least 8 (key length) + 4 (type) + 1 bytes: never reserve beyond that.
        let capacity = min(count, reader.remaining / 13)
        var metadata: [String: GGUFValue] = [:]
        metadata.reserveCapacity(capacity)
        var keys: [String] = []
        keys.reserveCapacity(capacity)
        for i in 0..<count {
            let keyOffset = reader.offset
            let key = try reader.string(maxBytes: limits.maxStringBytes, "metadata key #\(i)")
            let typeOffset = reader.offset
            let rawType = try reader.u32("type of key '\(key)'")
            guard let type = GGUFValueType(rawValue: rawType) else {
                throw .unknownValueType(rawValue: rawType, offset: typeOffset, key: key)
            }
            let value = try parseValue(type: type, key: key, depth: 0)
            guard metadata.updateValue(value, forKey: key) == nil else {
                throw .duplicateKey(key, offset: keyOffset)
            }
            keys.append(key)
        }
        return (metadata, keys)
    }

    private mutating func parseValue(type: GGUFValueType, key: String, depth: Int) throws(GGUFError) -> GGUFValue {
        switch type {
        case .uint8: return .uint8(try reader.u8("value of '\(key)'"))
        case .int8: return .int8(Int8(bitPattern: try reader.u8("value of '\(key)'")))
        case .uint16: return .uint16(try reader.u16("value of '\(key)'"))
        case .int16: return .int16(Int16(bitPattern: try reader.u16("value of '\(key)'")))
        case .uint32: return .uint32(try reader.u32("value of '\(key)'"))
        case .int32: return .int32(Int32(bitPattern: try reader.u32("value of '\(key)'")))
        case .float32: return .float32(Float(bitPattern: try reader.u32("value of '\(key)'")))
        case .uint64: return .uint64(try reader.u64("value of '\(key)'"))
        case .int64: return .int64(Int64(bitPattern: try reader.u64("value of '\(key)'")))
        case .float64: return .float64(Double(bitPattern: try reader.u64("value of '\(key)'")))
        case .bool: return .bool(try parseBool(key: key))
        case .string: return .string(try reader.string(maxBytes: limits.maxStringBytes, "value of '\(key)'"))
        case .array: return .array(try parseArray(key: key, depth: depth + 1))
        }
    }

    private mutating func parseBool(key: String) throws(GGUFError) -> Bool {
        let offset = reader.offset
        let byte = try reader.u8("value of '\(key)'")
        guard byte <= 1 else { throw .invalidBool(rawValue: byte, offset: offset, key: key) }
        return byte == 1
    }

    private mutating func parseArray(key: String, depth: Int) throws(GGUFError) -> [GGUFValue] {
        let headerOffset = reader.offset
        guard depth <= limits.maxNestingDepth else {
            throw .limitExceeded(.nestingDepth, value: UInt64(depth), maximum: limits.maxNestingDepth,
                                 offset: headerOffset, context: "array in '\(key)'")
        }
        let rawType = try reader.u32("array element type of '\(key)'")
        guard let elementType = GGUFValueType(rawValue: rawType) else {
            throw .unknownValueType(rawValue: rawType, offset: headerOffset, key: key)
        }
        let count = try reader.count(limit: limits.maxArrayCount, kind: .arrayCount, "array count of '\(key)'")
        // Reject counts the remaining bytes cannot hold before allocating anything for them.
        let (minimumBytes, overflow) = count.multipliedReportingOverflow(by: elementType.minimumEncodedBytes)
        guard !overflow, minimumBytes <= reader.remaining else {
            throw .truncated(offset: reader.offset, needed: overflow ? Int.max : minimumBytes,
                             context: "\(count) array elements of '\(key)'")
        }
        var values: [GGUFValue] = []
        values.reserveCapacity(count)
        switch elementType {
        case .string:
            for i in 0..<count {
                values.append(.string(try reader.string(maxBytes: limits.maxStringBytes, "element \(i) of '\(key)'")))
            }
        case .int32:
            for _ in 0..<count { values.append(.int32(Int32(bitPattern: try reader.u32("array of '\(key)'")))) }
        case .float32:
            for _ in 0..<count { values.append(.float32(Float(bitPattern: try reader.u32("array of '\(key)'")))) }
        default:
            for _ in 0..<count { values.append(try parseValue(type: elementType, key: key, depth: depth)) }
        }
        return values
    }

    static func alignment(_ value: GGUFValue?, limits: GGUFLimits) throws(GGUFError) -> Int {
        guard let value else { return GGUFFile.defaultAlignment }
        guard let alignment = value.int, alignment > 0, alignment & (alignment - 1) == 0 else {
            throw .invalidAlignment(value)
        }
        guard alignment <= limits.maxAlignment else {
            throw .limitExceeded(.alignment, value: UInt64(alignment), maximum: limits.maxAlignment,
                                 offset: 0, context: "general.alignment")
        }
        return alignment
    }

    // MARK: Tensors

    private mutating func parseTensorInfos(count: Int) throws(GGUFError) -> ([GGUFTensorInfo], [String: Int]) {
        // Each entry takes at least 8 (name length) + 4 (dims) + 4 (type) + 8 (offset) bytes.
        let capacity = min(count, reader.remaining / 24)
        var tensors: [GGUFTensorInfo] = []
        tensors.reserveCapacity(capacity)
        var index: [String: Int] = [:]
        index.reserveCapacity(capacity)
        for i in 0..<count {
            let name = try reader.string(maxBytes: limits.maxStringBytes, "tensor name #\(i)")
            let dimsOffset = reader.offset
            let rawDimCount = try reader.u32("dimension count of tensor '\(name)'")
            guard rawDimCount <= UInt32(limits.maxDimensions) else {
                throw .limitExceeded(.dimensions, value: UInt64(rawDimCount), maximum: limits.maxDimensions,
                                     offset: dimsOffset, context: "tensor '\(name)'")
            }
            var rawDims: [UInt64] = []
            rawDims.reserveCapacity(Int(rawDimCount))
            for _ in 0..<rawDimCount { rawDims.append(try reader.u64("dimensions of tensor '\(name)'")) }
            let rawType = try reader.u32("type of tensor '\(name)'")
            guard let type = GGMLType(rawValue: rawType) else { throw .unknownTensorType(rawValue: rawType, tensor: name) }
            let rawOffset = try reader.u64("offset of tensor '\(name)'")
            let sizes = try GGUFTensorInfo.sizes(name: name, rawDimensions: rawDims, type: type)
            guard index.updateValue(i, forKey: name) == nil else { throw .duplicateTensor(name) }
            // Offsets beyond Int.max are rejected by checkRanges; keep the bit pattern meanwhile.
            tensors.append(GGUFTensorInfo(name: name, dimensions: sizes.dimensions, type: type,
                                          offset: Int(truncatingIfNeeded: rawOffset),
                                          elementCount: sizes.elementCount, byteCount: sizes.byteCount))
        }
        return (tensors, index)
    }

    /// Every tensor aligned, inside the data section, and disjoint from the others.
    static func checkRanges(_ tensors: [GGUFTensorInfo], alignment: Int, dataBytes: Int) throws(GGUFError) {
        for tensor in tensors {
            let rawOffset = UInt64(bitPattern: Int64(tensor.offset))
            guard tensor.offset >= 0 else {
                throw .tensorOutOfRange(tensor: tensor.name, offset: rawOffset, byteCount: tensor.byteCount, dataSectionBytes: dataBytes)
            }
            guard tensor.offset % alignment == 0 else {
                throw .misalignedTensor(tensor: tensor.name, offset: rawOffset, alignment: alignment)
            }
            guard tensor.offset <= dataBytes, tensor.byteCount <= dataBytes - tensor.offset else {
                throw .tensorOutOfRange(tensor: tensor.name, offset: rawOffset, byteCount: tensor.byteCount, dataSectionBytes: dataBytes)
            }
        }
        // Ranges are in bounds, so end = offset + byteCount cannot overflow.
        // Sorted by (offset, size) so an empty tensor at another's start is not an overlap.
        let order = tensors.indices.sorted {
            (tensors[$0].offset, tensors[$0].byteCount) < (tensors[$1].offset, tensors[$1].byteCount)
        }
        for (a, b) in zip(order, order.dropFirst()) where tensors[a].offset + tensors[a].byteCount > tensors[b].offset {
            throw .overlappingTensors(tensors[a].name, tensors[b].name)
        }
    }
}
