import GGUF
import ServeCore
import Testing

@Suite struct GGUFRoundTripTests {
    static func parse(_ bytes: [UInt8], limits: GGUFLimits = .init()) throws -> GGUFFile {
        try GGUFFile(bytes: ReadOnlyBytes(copying: bytes), limits: limits)
    }

    static let everyValue: [GGUFValue] = [
        .uint8(255), .int8(-128), .uint16(65535), .int16(-32768), .uint32(.max), .int32(.min),
        .float32(-0.15625), .bool(true), .bool(false), .string(""), .string("llama — ✓ 🦙"),
        .uint64(.max), .int64(.min), .float64(.pi),
        .array([]), .array([.uint8(1), .uint8(2)]), .array([.string("a"), .string("")]),
        .array([.float64(1), .float64(-2)]), .array([.bool(false), .bool(true)]), .array([.int64(-1)]),
        .array([.array([.int16(1)]), .array([]), .array([.int16(2), .int16(3)])]),
        .array([.array([.array([.string("deep")])])]),
    ]

    @Test(arguments: everyValue)
    func valueRoundTrips(value: GGUFValue) throws {
        var w = GGUFWriter()
        w.set("before", .uint32(1))
        w.set("key", value)
        w.set("after", .string("x"))
        let file = try Self.parse(w.serialized())
        #expect(file.metadata["key"] == value)
        #expect(file.metadataKeys == ["before", "key", "after"])
        #expect(file.tensors.isEmpty)
    }

    @Test func nanKeepsItsBitPattern() throws {
        var w = GGUFWriter()
        let nan = Float(bitPattern: 0x7FC0_1234)
        w.set("nan", .float32(nan))
        let file = try Self.parse(w.serialized())
        guard case .float32(let read)? = file.metadata["nan"] else { Issue.record("not a float32"); return }
        #expect(read.bitPattern == nan.bitPattern)
    }

    @Test(arguments: [UInt32(2), 3])
    func versionsTwoAndThreeRead(version: UInt32) throws {
        let file = try Self.parse(GGUFFuzzing.smallSeed(version: version))
        #expect(file.version == version)
        #expect(file.string("general.architecture") == "llama")
        #expect(file.int("u32") == 4_000_000_000)
        #expect(file.float("f32") == Double(Float(1e-5)))
        #expect(file.bool("bool") == true)
        #expect(file.strings("tokens") == ["<s>", "</s>", "a", "Ġthe", ""])
        #expect(file.tensors.count == 9)
    }

    @Test(arguments: GGMLType.allCases)
    func tensorTypeRoundTrips(type: GGMLType) throws {
        var rng = SplitMix64(seed: UInt64(type.rawValue))
        let dims = [type.blockElements * 2, 3]
        let count = try #require(type.byteCount(elementCount: dims[0] * dims[1]))
        let data = (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
        var w = GGUFWriter()
        try w.addTensor(name: "first", dimensions: [3], type: .f32, data: Array(repeating: 1, count: 12))
        try w.addTensor(name: "t", dimensions: dims, type: type, data: data)
        let file = try Self.parse(w.serialized())
        let info = try #require(file.tensor(named: "t"))
        #expect(info.type == type)
        #expect(info.dimensions == dims)
        #expect(info.elementCount == dims[0] * dims[1])
        #expect(info.byteCount == count)
        #expect(Array(file.data(of: info)) == data)
        #expect(file.tensors.map(\.name) == ["first", "t"])
    }

    @Test(arguments: [1, 8, 32, 64, 4096])
    func alignmentPadsHeaderAndTensors(alignment: Int) throws {
        var w = GGUFWriter(alignment: alignment)
        w.set("general.name", .string("aligned"))
        for (i, n) in [3, 5, 1].enumerated() {
            try w.addTensor(name: "t\(i)", dimensions: [n], type: .f32, data: Array(repeating: UInt8(i + 1), count: 4 * n))
        }
        let file = try Self.parse(w.serialized())
        #expect(file.alignment == alignment)
        #expect(file.dataOffset % alignment == 0)
        #expect((file.metadata["general.alignment"] != nil) == (alignment != 32))
        for (i, tensor) in file.tensors.enumerated() {
            #expect(tensor.offset % alignment == 0)
            #expect(file.data(of: tensor).allSatisfy { $0 == UInt8(i + 1) })
        }
    }

    @Test func writerEncodingMatchesHandAssembledBytes() throws {
        var w = GGUFWriter()
        w.set("general.architecture", .string("llama"))
        w.set("n", .array([.int32(-1), .int32(2)]))
        try w.addTensor(name: "w", dimensions: [2, 1], type: .f16, data: [1, 2, 3, 4])
        var raw = RawGGUF(tensorCount: 1, metadataCount: 2)
        raw.kvString("general.architecture", "llama")
        raw.kv("n", type: 9) { $0.u32(5); $0.u64(2); $0.u32(UInt32(bitPattern: -1)); $0.u32(2) }
        raw.tensor("w", dims: [2, 1], type: 1, offset: 0)
        raw.pad(to: 32)
        raw.raw([1, 2, 3, 4])
        #expect(w.serialized() == raw.bytes)
    }

    @Test func fileWithoutTensorsMayEndAtItsHeader() throws {
        var raw = RawGGUF(tensorCount: 0, metadataCount: 1)
        raw.kvU32("k", 1)
        let file = try Self.parse(raw.bytes)
        #expect(file.dataOffset == raw.bytes.count)
        #expect(file.int("k") == 1)
    }

    @Test func foreignTensorGetsAnEmptyView() throws {
        let file = try Self.parse(GGUFFuzzing.smallSeed())
        let foreign = try GGUFTensorInfo(name: "big", dimensions: [1 << 20], type: .f32, offset: 0)
        #expect(file.data(of: foreign).isEmpty)
        #expect(file.tensor(named: "missing") == nil)
    }
}
