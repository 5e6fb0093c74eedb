import Testing
import Kernels

/// K-quant blocks checked against gguf-py 0.19.0 `gguf.quants.dequantize` (independent numpy port of
/// ggml's dequantize_row_q4_K / q6_K). Bytes: numpy default_rng(1234); script in the comment below.
///   f16 d/dmin = 0.0021/0.0013 (Q4_K), d = 0.0017 (Q6_K); sampled elements + Σ v[i]·(i+1).
@Suite("K-quant golden blocks")
struct KQuantGoldenTests {
    static let sampleIndices = [0, 1, 31, 32, 63, 64, 100, 127, 128, 150, 191, 192, 255]
    static let q4KBytes: [UInt8] = [
        77, 24, 83, 21, 186, 187, 182, 250, 243, 254, 8, 250, 129, 172, 233, 252, 247, 129, 84, 97, 180, 60, 222, 43,
        124, 221, 89, 236, 142, 62, 218, 26, 82, 70, 254, 66, 132, 30, 135, 35, 70, 88, 176, 81, 250, 118, 58, 137,
        31, 58, 59, 30, 135, 81, 189, 203, 82, 101, 228, 61, 155, 242, 58, 201, 134, 112, 139, 81, 220, 75, 34, 203,
        188, 229, 205, 246, 251, 14, 85, 245, 182, 141, 126, 67, 48, 223, 60, 142, 247, 198, 229, 112, 2, 56, 53, 65,
        77, 126, 32, 156, 93, 70, 168, 229, 8, 73, 22, 221, 116, 168, 94, 165, 3, 57, 31, 221, 205, 89, 186, 132,
        145, 5, 197, 172, 173, 50, 128, 244, 119, 134, 237, 168, 112, 39, 25, 12, 212, 157, 90, 188, 242, 169, 25, 189,
    ]
    static let q4KSamples: [Float] = [0.7863035202026367, 0.05550670623779297, 1.029902458190918, 1.7779006958007812, 0.9106044769287109, 1.6905937194824219, 0.8990039825439453, 1.7516002655029297, 0.3430061340332031, 0.48160552978515625, 0.8486042022705078, 0.24010086059570312, 1.304102897644043]
    static let q4KChecksum = 23877.268125534058
    static let q6KBytes: [UInt8] = [
        60, 98, 6, 57, 72, 104, 249, 221, 139, 135, 12, 44, 165, 102, 233, 201, 0, 132, 211, 222, 62, 150, 155, 123,
        64, 63, 101, 15, 203, 175, 142, 41, 129, 60, 6, 175, 23, 234, 163, 10, 60, 65, 214, 171, 36, 172, 197, 35,
        166, 172, 107, 156, 229, 30, 122, 140, 175, 40, 101, 15, 109, 81, 177, 45, 77, 22, 79, 250, 102, 14, 71, 103,
        65, 34, 95, 112, 100, 176, 10, 116, 183, 37, 88, 136, 92, 155, 107, 49, 16, 71, 205, 0, 93, 214, 78, 165,
        128, 10, 83, 64, 28, 99, 91, 168, 128, 7, 198, 219, 129, 237, 79, 110, 77, 90, 224, 108, 123, 164, 13, 45,
        51, 162, 94, 188, 20, 34, 235, 178, 53, 6, 11, 236, 201, 151, 165, 198, 81, 21, 74, 39, 238, 19, 177, 205,
        107, 179, 4, 254, 179, 141, 141, 91, 180, 75, 173, 46, 48, 29, 25, 218, 57, 61, 171, 240, 171, 203, 146, 249,
        200, 247, 61, 22, 163, 207, 3, 225, 76, 168, 220, 119, 94, 48, 136, 110, 222, 162, 56, 212, 51, 61, 189, 231,
        228, 34, 48, 47, 61, 234, 44, 246, 249, 33, 239, 33, 254, 193, 203, 34, 247, 22,
    ]
    static let q6KSamples: [Float] = [0.1904449462890625, -0.09522247314453125, 0.5203227996826172, -1.2242889404296875, 1.038945198059082, 1.9707651138305664, 1.2719001770019531, -0.3060722351074219, 0.03570842742919922, -1.1783781051635742, -0.7855854034423828, -0.06801605224609375, 1.5609683990478516]
    static let q6KChecksum = -3387.784339904785

    func check(_ format: WeightFormat, _ bytes: [UInt8], _ samples: [Float], _ checksum: Double) throws {
        let m = try OwnedMatrix(format: format, rows: 1, cols: 256, bytes: bytes)
        var fast = [Float](repeating: .nan, count: 256), reference = fast
        Ops.dequantizeRow(m.matrix, row: 0, into: &fast)
        ReferenceOps.dequantizeRow(m.matrix, row: 0, into: &reference)
        for (i, index) in Self.sampleIndices.enumerated() {
            // gguf-py rounds d·scale in a different order: allow a few ulps.
            #expect(abs(reference[index] - samples[i]) <= 1e-5 * max(1, abs(samples[i])))
            #expect(abs(fast[index] - samples[i]) <= 1e-5 * max(1, abs(samples[i])))
        }
        let sum = reference.enumerated().reduce(0.0) { $0 + Double($1.element) * Double($1.offset + 1) }
        #expect(abs(sum - checksum) <= 1e-5 * abs(checksum))
    }

    @Test func q4K() throws { try check(.q4_K, Self.q4KBytes, Self.q4KSamples, Self.q4KChecksum) }
    @Test func q6K() throws { try check(.q6_K, Self.q6KBytes, Self.q6KSamples, Self.q6KChecksum) }
}
