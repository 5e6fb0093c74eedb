import ServeCore

/// Seeded mutation fuzzing of the reader, shared by the `GGUFFuzz` harness and the test suite:
/// a seed builder, a byte mutator, and the oracle that judges one input.
package enum GGUFFuzzing {
    /// What one input did. A crash is the other possible outcome, and ends the process.
    package enum Outcome: Equatable {
        case accepted
        case rejected(GGUFError)
        /// Parsing succeeded but a documented invariant does not hold.
        case invariantViolated(String)
    }

    /// A small valid file exercising every value type, nested and empty arrays, and the common
    /// tensor types.
    package static func smallSeed(alignment: Int = 32, version: UInt32 = 3) -> [UInt8] {
        var rng = SplitMix64(seed: 0x6767_7566)
        var w = GGUFWriter(version: version, alignment: alignment)
        w.set("general.architecture", .string("llama"))
        w.set("general.name", .string("fuzz seed ✓"))
        w.set("u8", .uint8(200)); w.set("i8", .int8(-5)); w.set("u16", .uint16(60000)); w.set("i16", .int16(-300))
        w.set("u32", .uint32(4_000_000_000)); w.set("i32", .int32(-70000)); w.set("f32", .float32(1e-5))
        w.set("bool", .bool(true)); w.set("u64", .uint64(1 << 40)); w.set("i64", .int64(-(1 << 40)))
        w.set("f64", .float64(100000.5))
        w.set("tokens", .array(["<s>", "</s>", "a", "Ġthe", ""].map(GGUFValue.string)))
        w.set("scores", .array([0, -1.5, 2].map { GGUFValue.float32($0) }))
        w.set("types", .array([1, 3, 1].map { GGUFValue.int32($0) }))
        w.set("nested", .array([.array([.uint8(1), .uint8(2)]), .array([]), .array([.uint8(3)])]))
        w.set("empty", .array([]))
        let shapes: [(String, [Int], GGMLType)] = [
            ("norm.weight", [8], .f32), ("half", [4, 2], .f16), ("brain", [2, 2], .bf16),
            ("q40", [32, 2], .q4_0), ("q41", [32], .q4_1), ("q80", [64], .q8_0), ("q4k", [256], .q4_K),
            ("q6k", [256], .q6_K), ("empty", [0, 3], .f32),
        ]
        for (name, dims, type) in shapes {
            let count = type.byteCount(elementCount: dims.reduce(1, *)) ?? 0
            let data = (0..<count).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            try? w.addTensor(name: name, dimensions: dims, type: type, data: data)
        }
        return w.serialized()
    }

    /// A compact stand-in for a real model: its keys and value types (arrays cut to
    /// `arrayPrefix` entries) and its tensors' names, ranks and types, each one block wide.
    package static func compactSeed(from file: GGUFFile, arrayPrefix: Int = 16) -> [UInt8] {
        var w = GGUFWriter(version: file.version, alignment: file.alignment)
        for key in file.metadataKeys {
            guard var value = file.metadata[key] else { continue }
            if case .array(let elements) = value { value = .array(Array(elements.prefix(arrayPrefix))) }
            w.set(key, value)
        }
        for tensor in file.tensors {
            let dims = [tensor.type.blockElements] + Array(repeating: 1, count: max(0, tensor.dimensions.count - 1))
            try? w.addTensor(name: tensor.name, dimensions: dims, type: tensor.type,
                             data: Array(repeating: 0x3C, count: tensor.type.blockBytes))
        }
        return w.serialized()
    }

    private static let interestingU64: [UInt64] = [
        0, 1, 0x7F, 0xFF, 0xFFFF, 0x7FFF_FFFF, 0xFFFF_FFFF, 1 << 32, 1 << 40,
        UInt64(Int64.max), 1 << 63, UInt64.max, UInt64.max - 7,
    ]

    /// One to four random edits: bit flips, byte overwrites, huge little-endian length fields,
    /// truncation, insertion, deletion, chunk duplication.
    package static func mutate(_ input: [UInt8], rng: inout some RandomNumberGenerator) -> [UInt8] {
        var bytes = input
        for _ in 0...Int.random(in: 0...3, using: &rng) {
            let position = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &rng)
            switch Int.random(in: 0..<9, using: &rng) {
            case 0, 1:
                if !bytes.isEmpty { bytes[position] ^= 1 << UInt8.random(in: 0...7, using: &rng) }
            case 2:
                if !bytes.isEmpty { bytes[position] = [0, 1, 0x7F, 0x80, 0xFF, 0xC0, 0xED].randomElement(using: &rng) ?? 0 }
            case 3, 4:
                // A huge or boundary count, 4 or 8 bytes wide, where a length field may be.
                var value = interestingU64.randomElement(using: &rng) ?? 0
                if Bool.random(using: &rng) { value = UInt64(bytes.count) &+ UInt64.random(in: 0...64, using: &rng) }
                let width = Bool.random(using: &rng) ? 8 : 4
                withUnsafeBytes(of: value.littleEndian) { raw in
                    for i in 0..<width where position + i < bytes.count { bytes[position + i] = raw[i] }
                }
            case 5:
                bytes.removeSubrange(position..<bytes.count)
            case 6:
                let count = Int.random(in: 1...16, using: &rng)
                bytes.insert(contentsOf: (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }, at: position)
            case 7:
                let end = min(bytes.count, position + Int.random(in: 1...32, using: &rng))
                bytes.removeSubrange(position..<end)
            default:
                let end = min(bytes.count, position + Int.random(in: 1...64, using: &rng))
                let chunk = Array(bytes[position..<end])
                bytes.insert(contentsOf: chunk, at: bytes.isEmpty ? 0 : Int.random(in: 0...bytes.count, using: &rng))
            }
        }
        return bytes
    }

    /// Parses `bytes` and, if accepted, checks the invariants a caller relies on: every tensor's
    /// data view lies inside the file with its stated size, lookups agree, and a rewrite through
    /// `GGUFWriter` parses back to the same content.
    package static func check(_ bytes: [UInt8], limits: GGUFLimits = .init()) -> Outcome {
        let file: GGUFFile
        do {
            file = try GGUFFile(bytes: owned(bytes), limits: limits)
        } catch {
            return .rejected(error)
        }
        guard file.metadataKeys.count == file.metadata.count else { return .invariantViolated("key count") }
        guard file.dataOffset <= bytes.count else { return .invariantViolated("data offset past end") }
        let base = file.bytes.buffer
        for tensor in file.tensors {
            let data = file.data(of: tensor)
            guard data.count == tensor.byteCount else { return .invariantViolated("size of \(tensor.name)") }
            if let start = data.baseAddress, let origin = base.baseAddress {
                let offset = start - origin
                guard offset == file.dataOffset + tensor.offset, offset % file.alignment == file.dataOffset % file.alignment,
                      offset + data.count <= base.count
                else { return .invariantViolated("range of \(tensor.name)") }
            }
            guard file.tensor(named: tensor.name) == tensor else { return .invariantViolated("lookup of \(tensor.name)") }
        }
        return roundTrip(file, limits: limits)
    }

    /// A copy by memcpy: `ReadOnlyBytes(copying:)` goes through a generic element-wise path,
    /// ~100x slower on megabyte inputs, which dominates a fuzz run.
    package static func owned(_ bytes: [UInt8]) -> ReadOnlyBytes {
        let raw = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 64)
        bytes.withUnsafeBytes { source in
            if let base = source.baseAddress, let target = raw.baseAddress { target.copyMemory(from: base, byteCount: source.count) }
        }
        return ReadOnlyBytes(unsafeBuffer: UnsafeRawBufferPointer(start: raw.baseAddress, count: bytes.count),
                             release: { $0.deallocate() })
    }

    private static func roundTrip(_ file: GGUFFile, limits: GGUFLimits) -> Outcome {
        var w = GGUFWriter(version: file.version, alignment: file.alignment)
        for key in file.metadataKeys { if let value = file.metadata[key] { w.set(key, value) } }
        do {
            for tensor in file.tensors {
                try w.addTensor(name: tensor.name, dimensions: tensor.dimensions, type: tensor.type,
                                data: Array(file.data(of: tensor)))
            }
            let first = try w.validatedSerialization()
            let again = try GGUFFile(bytes: owned(first), limits: limits)
            guard again.metadataKeys == file.metadataKeys, again.tensors.count == file.tensors.count else {
                return .invariantViolated("rewrite changed keys or tensor count")
            }
            for (a, b) in zip(again.tensors, file.tensors) {
                guard a.name == b.name, a.dimensions == b.dimensions, a.type == b.type,
                      Array(again.data(of: a)) == Array(file.data(of: b))
                else { return .invariantViolated("rewrite changed tensor \(b.name)") }
            }
            // Bytes, not values, so NaN floats compare equal to themselves.
            var w2 = GGUFWriter(version: again.version, alignment: again.alignment)
            for key in again.metadataKeys { if let value = again.metadata[key] { w2.set(key, value) } }
            for tensor in again.tensors {
                try w2.addTensor(name: tensor.name, dimensions: tensor.dimensions, type: tensor.type,
                                 data: Array(again.data(of: tensor)))
            }
            guard w2.serialized() == first else { return .invariantViolated("rewrite not stable") }
        } catch {
            return .invariantViolated("rewrite failed: \(error)")
        }
        return .accepted
    }
}
