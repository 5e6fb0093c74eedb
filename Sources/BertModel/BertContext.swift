/// Per-call scratch memory for `BertEncoder` (llama.cpp's model/context split: the encoder is
/// immutable and shared; a context belongs to one caller at a time). Buffers grow to the largest
/// batch seen and are reused, so steady-state calls do not allocate in the forward pass.
public final class BertContext {
    var hidden = ScratchBuffer()        // rows × hidden
    var qkv = ScratchBuffer()           // rows × 3·hidden
    var attention = ScratchBuffer()     // rows × hidden
    var residual = ScratchBuffer()      // rows × hidden
    var intermediate = ScratchBuffer()  // rows × intermediate
    var headScratch = ScratchBuffer()   // slots × per-slot attention scratch

    public init() {}

    deinit {
        hidden.free(); qkv.free(); attention.free(); residual.free(); intermediate.free(); headScratch.free()
    }

    /// Floats one attention task needs for a sequence of `n` tokens: Q, K, Vᵀ, scores, output.
    static func headScratchCount(sequence n: Int, headDim d: Int) -> Int { 4 * n * d + n * n }

    func reserve(rows: Int, longest: Int, slots: Int, config: BertConfig) {
        let h = config.hiddenSize
        hidden.reserve(rows * h)
        qkv.reserve(rows * 3 * h)
        attention.reserve(rows * h)
        residual.reserve(rows * h)
        intermediate.reserve(rows * config.intermediateSize)
        headScratch.reserve(slots * Self.headScratchCount(sequence: longest, headDim: config.headDim))
    }
}
