import ServeCore
import Testing
import Safetensors

/// Seeded mutation fuzzing: every mutant either parses into a file whose tensors all lie inside
/// the buffer, or throws a `SafetensorsError` — never crashes.
@Suite struct SafetensorsFuzzTests {
    static func seedFile() throws -> [UInt8] {
        var writer = SafetensorsWriter(metadata: ["format": "pt"])
        try writer.add(name: "w", shape: [3, 4], floats: (0..<12).map(Float.init))
        try writer.add(name: "h", shape: [5], floats: [1, 2, 3, 4, 5], as: .f16)
        try writer.add(name: "b", shape: [2, 2], floats: [1, 2, 3, 4], as: .bf16)
        return writer.serialized()
    }

    /// One random edit: flip a byte, overwrite with an interesting JSON byte, delete, insert, or truncate.
    static func mutate(_ input: [UInt8], rng: inout SplitMix64) -> [UInt8] {
        var bytes = input
        let interesting: [UInt8] = Array("{}[]\",:0123456789-.eE\\ utnf".utf8) + [0x00, 0xFF, 0x80]
        let edits = 1 + Int(rng.next() % 4)
        for _ in 0..<edits {
            guard !bytes.isEmpty else { break }
            let position = Int(rng.next() % UInt64(bytes.count))
            switch rng.next() % 6 {
            case 0: bytes[position] ^= UInt8(truncatingIfNeeded: 1 << (rng.next() % 8))
            case 1: bytes[position] = interesting[Int(rng.next() % UInt64(interesting.count))]
            case 2: bytes.remove(at: position)
            case 3: bytes.insert(interesting[Int(rng.next() % UInt64(interesting.count))], at: position)
            case 4: bytes.removeLast(Int(rng.next() % UInt64(min(bytes.count, 16))))
            default: bytes[Int(rng.next() % 8)] = UInt8(truncatingIfNeeded: rng.next())  // header length
            }
        }
        return bytes
    }

    @Test func mutantsNeverCrash() throws {
        let seed = try Self.seedFile()
        var rng = SplitMix64(seed: 0x5AFE)
        var parsed = 0, rejected = 0
        for _ in 0..<4000 {
            let mutant = Self.mutate(seed, rng: &rng)
            do {
                let file = try parse(mutant)
                parsed += 1
                for info in file.tensors.values {
                    #expect(info.byteRange.lowerBound >= file.dataOffset && info.byteRange.upperBound <= mutant.count)
                    #expect(info.byteRange.count == info.elementCount * info.dtype.byteSize)
                    if let values = try? file.floats(info.name) { #expect(values.count == info.elementCount) }
                }
            } catch {
                rejected += 1
            }
        }
        // Both outcomes occur, so the fuzzer explores more than one path.
        #expect(parsed > 0 && rejected > 0)
        #expect(parsed + rejected == 4000)
    }
}
