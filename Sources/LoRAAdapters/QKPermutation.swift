/// llama.cpp's HF→GGUF converter permutes the rows of attn_q / attn_k so that RoPE rotates adjacent
/// pairs. A LoRA delta B·A adds to those rows, so B's rows get the same permutation (A is untouched).
///
/// HF row `h·d + i·d/2 + j` (head h, half i, index j) becomes GGUF row `h·d + 2j + i`.
public enum QKPermutation {
    /// Permutes the rows of a row-major [rows × columns] matrix for `heads` heads.
    public static func hfToGGUF(_ matrix: [Float], rows: Int, columns: Int, heads: Int) -> [Float] {
        permute(matrix, rows: rows, columns: columns, heads: heads, toGGUF: true)
    }

    /// The inverse (GGUF → HF), for writers and tests.
    public static func ggufToHF(_ matrix: [Float], rows: Int, columns: Int, heads: Int) -> [Float] {
        permute(matrix, rows: rows, columns: columns, heads: heads, toGGUF: false)
    }

    /// Matrices whose shape doesn't split into heads of even size are returned unchanged (the
    /// readers validate shapes before this point).
    private static func permute(_ matrix: [Float], rows: Int, columns: Int, heads: Int, toGGUF: Bool) -> [Float] {
        guard heads > 0, rows % heads == 0, (rows / heads) % 2 == 0, matrix.count == rows * columns else { return matrix }
        let headDim = rows / heads
        let half = headDim / 2
        var out = matrix
        for h in 0..<heads {
            for i in 0..<2 {
                for j in 0..<half {
                    let hf = h * headDim + i * half + j
                    let gguf = h * headDim + 2 * j + i
                    let (source, target) = toGGUF ? (hf, gguf) : (gguf, hf)
                    for c in 0..<columns { out[target * columns + c] = matrix[source * columns + c] }
                }
            }
        }
        return out
    }
}
