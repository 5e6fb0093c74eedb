/// One GGUF metadata value. Arrays may nest; on disk every array is homogeneous (one element type).
///
/// Not `indirect`: the only recursive payload is an `Array`, already a reference, and boxing every
/// scalar would cost an allocation per token-array entry (~150k in a real model).
public enum GGUFValue: Sendable, Equatable {
    case uint8(UInt8), int8(Int8), uint16(UInt16), int16(Int16), uint32(UInt32), int32(Int32)
    case float32(Float), bool(Bool), string(String), array([GGUFValue])
    case uint64(UInt64), int64(Int64), float64(Double)

    /// Any integer case that fits in `Int`.
    public var int: Int? {
        switch self {
        case .uint8(let v): Int(v)
        case .int8(let v): Int(v)
        case .uint16(let v): Int(v)
        case .int16(let v): Int(v)
        case .uint32(let v): Int(v)
        case .int32(let v): Int(v)
        case .uint64(let v): Int(exactly: v)
        case .int64(let v): Int(exactly: v)
        default: nil
        }
    }

    /// Either float case, widened to `Double`; integers convert too (a converter may store
    /// `rope.freq_base` either way).
    public var float: Double? {
        switch self {
        case .float32(let v): Double(v)
        case .float64(let v): v
        case .uint8, .int8, .uint16, .int16, .uint32, .int32, .uint64, .int64: int.map(Double.init)
        default: nil
        }
    }

    public var string: String? {
        if case .string(let v) = self { return v }
        return nil
    }

    public var bool: Bool? {
        if case .bool(let v) = self { return v }
        return nil
    }

    public var array: [GGUFValue]? {
        if case .array(let v) = self { return v }
        return nil
    }

    /// An array whose elements are all strings.
    public var strings: [String]? {
        guard case .array(let values) = self else { return nil }
        var result: [String] = []
        result.reserveCapacity(values.count)
        for value in values {
            guard case .string(let s) = value else { return nil }
            result.append(s)
        }
        return result
    }

    /// An array whose elements are all integers that fit in `Int`.
    public var ints: [Int]? {
        guard case .array(let values) = self else { return nil }
        var result: [Int] = []
        result.reserveCapacity(values.count)
        for value in values {
            guard let i = value.int else { return nil }
            result.append(i)
        }
        return result
    }

    /// An array whose elements are all floats (float64 narrowed to `Float`).
    public var floats: [Float]? {
        guard case .array(let values) = self else { return nil }
        var result: [Float] = []
        result.reserveCapacity(values.count)
        for value in values {
            switch value {
            case .float32(let f): result.append(f)
            case .float64(let d): result.append(Float(d))
            default: return nil
            }
        }
        return result
    }
}
