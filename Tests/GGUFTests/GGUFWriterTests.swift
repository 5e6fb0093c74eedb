import GGUF
import ServeCore
import Testing

@Suite struct GGUFWriterTests {
    @Test func setReplacesInPlace() throws {
        var w = GGUFWriter()
        w.set("a", .uint8(1))
        w.set("b", .uint8(2))
        w.set("a", .string("again"))
        let file = try GGUFFile(bytes: ReadOnlyBytes(copying: w.serialized()))
        #expect(file.metadataKeys == ["a", "b"])
        #expect(file.string("a") == "again")
    }

    @Test func heterogeneousArrayIsRefused() {
        var w = GGUFWriter()
        w.set("mixed", .array([.uint8(1), .string("x")]))
        w.set("nested", .array([.array([.uint8(1), .int8(1)])]))
        #expect(w.firstError == .heterogeneousArray(key: "mixed"))
        #expect(throws: GGUFError.heterogeneousArray(key: "mixed")) { try w.validatedSerialization() }
    }

    @Test func tensorDataMustMatchShape() {
        var w = GGUFWriter()
        #expect(throws: GGUFError.tensorDataSizeMismatch(tensor: "t", expected: 20, actual: 19)) {
            try w.addTensor(name: "t", dimensions: [32], type: .q4_1, data: Array(repeating: 0, count: 19))
        }
        #expect(throws: GGUFError.self) {
            try w.addTensor(name: "odd", dimensions: [31], type: .q4_1, data: Array(repeating: 0, count: 20))
        }
        #expect(throws: GGUFError.self) {
            try w.addTensor(name: "neg", dimensions: [-4], type: .f32, data: [])
        }
    }

    @Test func duplicateTensorNameIsRefused() throws {
        var w = GGUFWriter()
        try w.addTensor(name: "t", dimensions: [1], type: .f32, data: [0, 0, 0, 0])
        #expect(throws: GGUFError.duplicateTensor("t")) {
            try w.addTensor(name: "t", dimensions: [1], type: .f32, data: [0, 0, 0, 0])
        }
    }

    @Test func alignmentRoundsUpToAPowerOfTwo() {
        #expect(GGUFWriter(alignment: 24).alignment == 32)
        #expect(GGUFWriter(alignment: 0).alignment == 1)
        #expect(GGUFWriter(alignment: 64).alignment == 64)
    }
}
