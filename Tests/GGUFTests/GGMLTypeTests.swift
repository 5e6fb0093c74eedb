import GGUF
import Testing

@Suite struct GGMLTypeTests {
    /// (id, block elements, block bytes) from ggml-common.h (gguf-py's GGML_QUANT_SIZES agrees
    /// except Q8_1, which it lists as 40 from a superseded float layout).
    static let table: [(UInt32, Int, Int)] = [
        (0, 1, 4), (1, 1, 2), (2, 32, 18), (3, 32, 20), (6, 32, 22), (7, 32, 24), (8, 32, 34), (9, 32, 36),
        (10, 256, 84), (11, 256, 110), (12, 256, 144), (13, 256, 176), (14, 256, 210), (15, 256, 292),
        (16, 256, 66), (17, 256, 74), (18, 256, 98), (19, 256, 50), (20, 32, 18), (21, 256, 110), (22, 256, 82),
        (23, 256, 136), (24, 1, 1), (25, 1, 2), (26, 1, 4), (27, 1, 8), (28, 1, 8), (29, 256, 56), (30, 1, 2),
        (34, 256, 54), (35, 256, 66), (39, 32, 17),
    ]

    @Test(arguments: table)
    func blockGeometryMatchesGGML(id: UInt32, elements: Int, bytes: Int) throws {
        let type = try #require(GGMLType(rawValue: id))
        #expect(type.blockElements == elements)
        #expect(type.blockBytes == bytes)
    }

    @Test func everyCaseIsInTheTable() {
        #expect(Set(GGMLType.allCases.map(\.rawValue)) == Set(Self.table.map(\.0)))
        #expect(GGMLType(rawValue: 4) == nil)  // Q4_2, removed from ggml
        #expect(GGMLType.q4_K.name == "Q4_K")
        #expect(GGMLType.bf16.name == "BF16")
    }

    @Test func byteCountNeedsWholeBlocks() {
        #expect(GGMLType.q4_1.byteCount(elementCount: 576 * 1536) == 576 * 1536 / 32 * 20)
        #expect(GGMLType.q6_K.byteCount(elementCount: 512) == 420)
        #expect(GGMLType.q8_0.byteCount(elementCount: 33) == nil)
        #expect(GGMLType.f32.byteCount(elementCount: -1) == nil)
        #expect(GGMLType.f32.byteCount(elementCount: Int.max / 2) == nil)
    }
}
