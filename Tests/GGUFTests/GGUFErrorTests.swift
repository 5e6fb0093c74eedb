import GGUF
import ServeCore
import Testing

/// One test per error class, on hand-assembled files.
@Suite struct GGUFErrorTests {
    static func error(_ bytes: [UInt8], limits: GGUFLimits = .init()) -> GGUFError? {
        do {
            _ = try GGUFFile(bytes: ReadOnlyBytes(copying: bytes), limits: limits)
            return nil
        } catch {
            return error
        }
    }

    /// A one-key, one-tensor file with its header fields supplied by the caller.
    static func file(key: String = "k", tensorName: String = "t", dims: [UInt64] = [8], type: UInt32 = 0,
                     offset: UInt64 = 0, dataBytes: Int = 32) -> [UInt8] {
        var raw = RawGGUF(tensorCount: 1, metadataCount: 1)
        raw.kvU32(key, 1)
        raw.tensor(tensorName, dims: dims, type: type, offset: offset)
        raw.pad(to: 32)
        raw.zeros(dataBytes)
        return raw.bytes
    }

    @Test func validBaseFileParses() {
        #expect(Self.error(Self.file()) == nil)
    }

    @Test func everyPrefixOfAValidFileIsRejected() throws {
        let seed = GGUFFuzzing.smallSeed()
        let dataOffset = try GGUFFile(bytes: ReadOnlyBytes(copying: seed)).dataOffset
        for length in 0..<seed.count {
            let error = try #require(Self.error(Array(seed.prefix(length))), "prefix \(length) accepted")
            #expect(error.kind == (length < dataOffset ? "truncated" : "tensorOutOfRange"), "prefix \(length): \(error)")
        }
    }

    @Test func badMagic() {
        let raw = RawGGUF(tensorCount: 0, metadataCount: 0, magic: Array("GGML".utf8))
        #expect(Self.error(raw.bytes) == .badMagic(found: 0x4C4D_4747))
    }

    @Test(arguments: [UInt32(0), 1, 4, 0x0300_0000])
    func unsupportedVersion(version: UInt32) throws {
        let raw = RawGGUF(version: version, tensorCount: 0, metadataCount: 0)
        let error = try #require(Self.error(raw.bytes))
        #expect(error == .unsupportedVersion(version))
        if version == 1 { #expect(error.description.contains("version 1 is not supported")) }
        if version == 0x0300_0000 { #expect(error.description.contains("big-endian")) }
    }

    @Test func hugeCountsHitLimitsBeforeAllocating() {
        #expect(Self.error(RawGGUF(tensorCount: .max, metadataCount: 0).bytes)?.kind == "limitExceeded.tensorCount")
        #expect(Self.error(RawGGUF(tensorCount: 0, metadataCount: 1 << 40).bytes)?.kind == "limitExceeded.metadataCount")
        var longKey = RawGGUF(tensorCount: 0, metadataCount: 1)
        longKey.u64(.max)
        #expect(Self.error(longKey.bytes) == .limitExceeded(.stringBytes, value: .max, maximum: 1 << 24, offset: 24, context: "metadata key #0"))
        var bigArray = RawGGUF(tensorCount: 0, metadataCount: 1)
        bigArray.kv("tokens", type: 9) { $0.u32(8); $0.u64(1 << 62) }
        #expect(Self.error(bigArray.bytes)?.kind == "limitExceeded.arrayCount")
        // Within the limit but far beyond the bytes present: rejected before reserving storage.
        var lyingArray = RawGGUF(tensorCount: 0, metadataCount: 1)
        lyingArray.kv("tokens", type: 9) { $0.u32(8); $0.u64(1 << 24) }
        #expect(Self.error(lyingArray.bytes)?.kind == "truncated")
        // A count lower limits reject even though the data is all there.
        var threeKeys = RawGGUF(tensorCount: 0, metadataCount: 3)
        for k in ["a", "b", "c"] { threeKeys.kvU32(k, 0) }
        #expect(Self.error(threeKeys.bytes, limits: GGUFLimits(maxMetadataCount: 2))?.kind == "limitExceeded.metadataCount")
    }

    @Test func nestingDepthIsLimited() {
        var raw = RawGGUF(tensorCount: 0, metadataCount: 1)
        raw.kv("deep", type: 9) { r in
            for _ in 0..<20 { r.u32(9); r.u64(1) }
            r.u32(0); r.u64(0)
        }
        let error = Self.error(raw.bytes)
        #expect(error?.kind == "limitExceeded.nestingDepth")
        #expect(error?.description.contains("'deep'") == true)
    }

    @Test func tooManyDimensions() {
        let bytes = Self.file(dims: [1, 1, 1, 1, 8])
        #expect(Self.error(bytes)?.kind == "limitExceeded.dimensions")
        #expect(Self.error(bytes, limits: GGUFLimits(maxDimensions: 8)) == nil)
    }

    @Test func invalidUTF8InKeyValueAndTensorName() {
        var key = RawGGUF(tensorCount: 0, metadataCount: 1)
        key.string([0x61, 0xFF]); key.u32(4); key.u32(0)
        #expect(Self.error(key.bytes) == .invalidUTF8(offset: 32, context: "metadata key #0"))
        var value = RawGGUF(tensorCount: 0, metadataCount: 1)
        value.kv("name", type: 8) { $0.string([0xC0, 0x80]) }  // overlong NUL
        #expect(Self.error(value.bytes)?.kind == "invalidUTF8")
        var element = RawGGUF(tensorCount: 0, metadataCount: 1)
        element.kv("tokens", type: 9) { $0.u32(8); $0.u64(2); $0.string("ok"); $0.string([0xED, 0xA0, 0x80]) }  // surrogate
        #expect(Self.error(element.bytes)?.description.contains("element 1 of 'tokens'") == true)
        var tensor = RawGGUF(tensorCount: 1, metadataCount: 0)
        tensor.string([0xE2, 0x82]); tensor.u32(1); tensor.u64(1); tensor.u32(0); tensor.u64(0)
        #expect(Self.error(tensor.bytes)?.kind == "invalidUTF8")
    }

    @Test func unknownValueTypes() {
        var scalar = RawGGUF(tensorCount: 0, metadataCount: 1)
        scalar.kv("k", type: 13) { $0.u32(0) }
        #expect(Self.error(scalar.bytes) == .unknownValueType(rawValue: 13, offset: 33, key: "k"))
        var element = RawGGUF(tensorCount: 0, metadataCount: 1)
        element.kv("k", type: 9) { $0.u32(99); $0.u64(0) }
        #expect(Self.error(element.bytes)?.kind == "unknownValueType")
    }

    @Test func boolMustBeZeroOrOne() {
        var raw = RawGGUF(tensorCount: 0, metadataCount: 1)
        raw.kv("flag", type: 7) { $0.u8(2) }
        #expect(Self.error(raw.bytes) == .invalidBool(rawValue: 2, offset: 40, key: "flag"))
    }

    @Test func duplicateKey() {
        var raw = RawGGUF(tensorCount: 0, metadataCount: 2)
        raw.kvU32("k", 1)
        raw.kvU32("k", 2)
        #expect(Self.error(raw.bytes) == .duplicateKey("k", offset: 41))
    }

    @Test(arguments: [GGUFValue.uint32(0), .uint32(3), .int32(-32), .string("32"), .float32(32), .uint64(1 << 63)])
    func invalidAlignment(value: GGUFValue) {
        var w = GGUFWriter()
        w.set("general.alignment", value)
        #expect(Self.error(w.serialized()) == .invalidAlignment(value))
    }

    @Test func alignmentAboveTheLimit() {
        var w = GGUFWriter()
        w.set("general.alignment", .uint32(1 << 20))
        #expect(Self.error(w.serialized())?.kind == "limitExceeded.alignment")
    }

    @Test func unknownTensorType() {
        #expect(Self.error(Self.file(type: 4)) == .unknownTensorType(rawValue: 4, tensor: "t"))
        #expect(Self.error(Self.file(type: .max))?.kind == "unknownTensorType")
    }

    @Test func invalidDimensions() {
        #expect(Self.error(Self.file(dims: [1 << 63]))?.kind == "invalidDimensions")
        let error = Self.error(Self.file(dims: [33], type: 2))  // Q4_0 rows must be whole blocks
        #expect(error?.kind == "invalidDimensions")
        #expect(error?.description.contains("block size 32") == true)
    }

    @Test func sizeOverflow() {
        #expect(Self.error(Self.file(dims: [1 << 32, 1 << 32])) == .sizeOverflow(tensor: "t", dimensions: [1 << 32, 1 << 32]))
        // The element count fits; its byte size (×4 for F32) does not.
        #expect(Self.error(Self.file(dims: [1 << 31, 1 << 31]))?.kind == "sizeOverflow")
        #expect(Self.error(Self.file(dims: [1 << 40, 1 << 40, 0]))?.kind == "sizeOverflow")
    }

    @Test func duplicateTensorName() {
        var raw = RawGGUF(tensorCount: 2, metadataCount: 0)
        raw.tensor("t", dims: [1], type: 0, offset: 0)
        raw.tensor("t", dims: [1], type: 0, offset: 32)
        raw.pad(to: 32)
        raw.zeros(64)
        #expect(Self.error(raw.bytes) == .duplicateTensor("t"))
    }

    @Test func misalignedTensor() {
        #expect(Self.error(Self.file(offset: 4, dataBytes: 64)) == .misalignedTensor(tensor: "t", offset: 4, alignment: 32))
    }

    @Test func tensorOutOfRange() {
        #expect(Self.error(Self.file(offset: 32, dataBytes: 32)) == .tensorOutOfRange(tensor: "t", offset: 32, byteCount: 32, dataSectionBytes: 32))
        #expect(Self.error(Self.file(offset: .max - 31))?.kind == "tensorOutOfRange")
        #expect(Self.error(Self.file(offset: 0, dataBytes: 31))?.kind == "tensorOutOfRange")
    }

    @Test func overlappingTensors() {
        var raw = RawGGUF(tensorCount: 3, metadataCount: 0)
        raw.tensor("a", dims: [8], type: 0, offset: 64)
        raw.tensor("b", dims: [16], type: 0, offset: 0)   // [0, 64)
        raw.tensor("c", dims: [16], type: 0, offset: 32)  // [32, 96): overlaps both
        raw.pad(to: 32)
        raw.zeros(96)
        #expect(Self.error(raw.bytes) == .overlappingTensors("b", "c"))
    }

    @Test func emptyTensorsMayShareAnOffset() {
        var raw = RawGGUF(tensorCount: 2, metadataCount: 0)
        raw.tensor("empty", dims: [0], type: 0, offset: 0)
        raw.tensor("full", dims: [8], type: 0, offset: 0)
        raw.pad(to: 32)
        raw.zeros(32)
        #expect(Self.error(raw.bytes) == nil)
    }

    @Test func descriptionsCarryContext() {
        let errors: [GGUFError] = [
            .truncated(offset: 10, needed: 8, context: "value of 'k'"),
            .tensorOutOfRange(tensor: "blk.0.attn_q.weight", offset: 64, byteCount: 9, dataSectionBytes: 10),
            .limitExceeded(.arrayCount, value: 1 << 40, maximum: 1 << 24, offset: 99, context: "array count of 'tokens'"),
        ]
        #expect(errors[0].description.contains("offset 10") && errors[0].description.contains("'k'"))
        #expect(errors[1].description.contains("blk.0.attn_q.weight"))
        #expect(errors[2].description.contains("16777216") && errors[2].description.contains("tokens"))
    }
}
