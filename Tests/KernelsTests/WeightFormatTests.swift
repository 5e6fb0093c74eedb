import Testing
import Kernels

@Suite("WeightFormat and WeightMatrix")
struct WeightFormatTests {
    @Test("block sizes match ggml")
    func blockSizes() {
        let expected: [WeightFormat: (Int, Int)] = [
            .f32: (1, 4), .f16: (1, 2), .bf16: (1, 2), .q4_0: (32, 18), .q4_1: (32, 20),
            .q8_0: (32, 34), .q4_K: (256, 144), .q6_K: (256, 210),
        ]
        for format in WeightFormat.allCases {
            #expect(format.blockElements == expected[format]?.0)
            #expect(format.blockBytes == expected[format]?.1)
        }
    }

    @Test("init validates shape and alignment")
    func initValidates() throws {
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 16)
        defer { buffer.deallocate() }
        #expect(throws: KernelError.columnsNotBlockAligned(format: .q4_1, cols: 40, blockElements: 32)) {
            try WeightMatrix(format: .q4_1, rows: 1, cols: 40, data: buffer)
        }
        #expect(throws: KernelError.invalidShape(rows: 0, cols: 32)) {
            try WeightMatrix(format: .q8_0, rows: 0, cols: 32, data: buffer)
        }
        let w = try WeightMatrix(format: .q4_1, rows: 3, cols: 64, data: buffer)
        #expect(w.rowBytes == 40)
        #expect(KernelError.invalidShape(rows: 0, cols: 1).description.contains("0 x 1"))
    }
}
