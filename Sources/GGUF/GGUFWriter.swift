/// Builds GGUF files in memory: fixtures, tests and tools (adapters in llama.cpp GGUF-LoRA form).
///
/// Tensors are laid out in insertion order, each at the next multiple of `alignment` in the data
/// section. When `alignment` is not the default 32 and no `general.alignment` was set, the
/// writer adds it (uint32) so readers find the same layout.
public struct GGUFWriter: Sendable {
    public let version: UInt32
    public let alignment: Int
    private var keys: [String] = []
    private var values: [String: GGUFValue] = [:]
    private var tensors: [GGUFTensorInfo] = []
    private var tensorData: [[UInt8]] = []
    private var tensorNames: Set<String> = []
    private var dataBytes = 0
    /// The first value `set` refused (an array mixing element types); `validatedSerialization`
    /// throws it.
    public private(set) var firstError: GGUFError?

    /// `alignment` is rounded up to a power of two (minimum 1). Any `version` is written as
    /// given, so tests can produce files a reader must reject; the layout is v2/v3's.
    public init(version: UInt32 = 3, alignment: Int = 32) {
        self.version = version
        var power = 1
        while power < alignment, power < 1 << 30 { power <<= 1 }
        self.alignment = power
    }

    /// Sets `key`, replacing an earlier value in place (keys keep first-set order). An array
    /// whose elements differ in type cannot be encoded: it is not stored, and `firstError`
    /// records it.
    public mutating func set(_ key: String, _ value: GGUFValue) {
        guard Self.isEncodable(value) else {
            if firstError == nil { firstError = .heterogeneousArray(key: key) }
            return
        }
        if values.updateValue(value, forKey: key) == nil { keys.append(key) }
    }

    /// Appends a tensor; `data` must be exactly the bytes its shape and type need.
    public mutating func addTensor(name: String, dimensions: [Int], type: GGMLType, data: [UInt8]) throws(GGUFError) {
        guard dimensions.count <= 8 else {
            throw .limitExceeded(.dimensions, value: UInt64(dimensions.count), maximum: 8, offset: 0, context: "tensor '\(name)'")
        }
        guard !tensorNames.contains(name) else { throw .duplicateTensor(name) }
        let offset = Self.alignUp(dataBytes, alignment)
        let info = try GGUFTensorInfo(name: name, dimensions: dimensions, type: type, offset: offset)
        guard data.count == info.byteCount else {
            throw .tensorDataSizeMismatch(tensor: name, expected: info.byteCount, actual: data.count)
        }
        tensorNames.insert(name)
        tensors.append(info)
        tensorData.append(data)
        dataBytes = offset + data.count
    }

    /// Throws `firstError` if a value was refused, else returns `serialized()`.
    public func validatedSerialization() throws(GGUFError) -> [UInt8] {
        if let firstError { throw firstError }
        return serialized()
    }

    /// The complete file.
    public func serialized() -> [UInt8] {
        var keys = self.keys
        var values = self.values
        if alignment != GGUFFile.defaultAlignment, values["general.alignment"] == nil {
            keys.append("general.alignment")
            values["general.alignment"] = .uint32(UInt32(alignment))
        }
        var out: [UInt8] = []
        out.reserveCapacity(dataBytes + 4096)
        out.appendLE(GGUFFile.magic)
        out.appendLE(version)
        out.appendLE(UInt64(tensors.count))
        out.appendLE(UInt64(keys.count))
        for key in keys {
            guard let value = values[key] else { continue }
            out.appendString(key)
            out.appendLE(value.valueType.rawValue)
            out.appendValue(value)
        }
        for tensor in tensors {
            out.appendString(tensor.name)
            out.appendLE(UInt32(tensor.dimensions.count))
            for d in tensor.dimensions { out.appendLE(UInt64(d)) }
            out.appendLE(tensor.type.rawValue)
            out.appendLE(UInt64(tensor.offset))
        }
        let dataStart = Self.alignUp(out.count, alignment)
        for (tensor, data) in zip(tensors, tensorData) {
            out.append(contentsOf: repeatElement(0, count: dataStart + tensor.offset - out.count))
            out.append(contentsOf: data)
        }
        if tensors.isEmpty { out.append(contentsOf: repeatElement(0, count: dataStart - out.count)) }
        return out
    }

    static func alignUp(_ value: Int, _ alignment: Int) -> Int {
        (value + alignment - 1) / alignment * alignment
    }

    /// Every array homogeneous, recursively.
    static func isEncodable(_ value: GGUFValue) -> Bool {
        guard case .array(let elements) = value else { return true }
        guard let first = elements.first else { return true }
        let type = first.valueType
        return elements.allSatisfy { $0.valueType == type && isEncodable($0) }
    }
}

extension [UInt8] {
    mutating func appendLE<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    mutating func appendString(_ string: String) {
        appendLE(UInt64(string.utf8.count))
        append(contentsOf: string.utf8)
    }

    mutating func appendValue(_ value: GGUFValue) {
        switch value {
        case .uint8(let v): appendLE(v)
        case .int8(let v): appendLE(v)
        case .uint16(let v): appendLE(v)
        case .int16(let v): appendLE(v)
        case .uint32(let v): appendLE(v)
        case .int32(let v): appendLE(v)
        case .float32(let v): appendLE(v.bitPattern)
        case .bool(let v): append(v ? 1 : 0)
        case .string(let v): appendString(v)
        case .uint64(let v): appendLE(v)
        case .int64(let v): appendLE(v)
        case .float64(let v): appendLE(v.bitPattern)
        case .array(let elements):
            // An empty array has no element to take a type from; uint8 is as good as any.
            appendLE((elements.first?.valueType ?? .uint8).rawValue)
            appendLE(UInt64(elements.count))
            for element in elements { appendValue(element) }
        }
    }
}
