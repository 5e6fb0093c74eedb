import GGUF
import Testing

@Suite struct GGUFTensorInfoTests {
    @Test func sizesFollowShapeAndType() throws {
        let info = try GGUFTensorInfo(name: "blk.0.ffn_up.weight", dimensions: [576, 1536], type: .q4_1, offset: 64)
        #expect(info.elementCount == 576 * 1536)
        #expect(info.byteCount == 576 * 1536 / 32 * 20)
        let scalar = try GGUFTensorInfo(name: "s", dimensions: [], type: .f32, offset: 0)
        #expect(scalar.elementCount == 1 && scalar.byteCount == 4)
    }

    @Test func invalidShapesThrow() {
        #expect(throws: GGUFError.self) { try GGUFTensorInfo(name: "n", dimensions: [-1], type: .f32, offset: 0) }
        #expect(throws: GGUFError.self) { try GGUFTensorInfo(name: "o", dimensions: [1], type: .f32, offset: -32) }
        #expect(throws: GGUFError.self) { try GGUFTensorInfo(name: "k", dimensions: [128], type: .q4_K, offset: 0) }
        #expect(throws: GGUFError.self) { try GGUFTensorInfo(name: "x", dimensions: [Int.max, 2], type: .f32, offset: 0) }
    }
}
