import GGUF
import Kernels
import ServeCore

/// One transformer block's weights. Projections stay in their file format (quantised weights are
/// multiplied quantised); norm weights are widened to `Float` once at load.
public struct LlamaLayerWeights: Sendable {
    public let attentionNorm: [Float]
    /// Rows are permuted by the GGUF converter for adjacent-pair RoPE (see model-notes).
    public let query: WeightMatrix
    public let key: WeightMatrix
    public let value: WeightMatrix
    public let attentionOutput: WeightMatrix
    public let ffnNorm: [Float]
    public let gate: WeightMatrix
    public let up: WeightMatrix
    public let down: WeightMatrix
    /// The seven projections repacked by the kernels for few-token (decode) matmuls, indexed by
    /// `LlamaProjection.rawValue`; empty when the weights were loaded without packing.
    let packed: [PackedWeights]

    init(attentionNorm: [Float], query: WeightMatrix, key: WeightMatrix, value: WeightMatrix,
         attentionOutput: WeightMatrix, ffnNorm: [Float], gate: WeightMatrix, up: WeightMatrix,
         down: WeightMatrix, pack: Bool) {
        self.attentionNorm = attentionNorm
        self.query = query
        self.key = key
        self.value = value
        self.attentionOutput = attentionOutput
        self.ffnNorm = ffnNorm
        self.gate = gate
        self.up = up
        self.down = down
        packed = pack ? [query, key, value, attentionOutput, gate, up, down].map(Ops.pack) : []
    }
}

/// The immutable, shareable weights of a Llama-architecture GGUF model.
///
/// Holds the `GGUFFile` (and through it the bytes, usually a memory map) so every `WeightMatrix`
/// pointer stays valid for the life of this object.
public final class LlamaWeights: Sendable {
    public let file: GGUFFile
    public let config: LlamaConfig
    /// `vocabularySize × embeddingWidth`; rows are token embeddings.
    public let tokenEmbedding: WeightMatrix
    public let outputNorm: [Float]
    /// The LM head (`vocabularySize × embeddingWidth`); the token embedding when `isOutputTied`.
    public let output: WeightMatrix
    /// True when the file has no `output.weight` and the LM head reuses `token_embd`.
    public let isOutputTied: Bool
    public let layers: [LlamaLayerWeights]
    /// The LM head repacked for few-row matmuls (nil without packing).
    let packedOutput: PackedWeights?
    /// Whether quantised matrices were repacked by `Ops.pack` for decode (costs about one more
    /// copy of the Q4/Q8 weights in memory, ~95 MB for SmolLM2-135M).
    public var isPacked: Bool { packedOutput != nil }

    /// Validates the architecture, every tensor's presence, shape and type.
    ///
    /// - Parameter pack: repack Q4_0/Q4_1/Q8_0 matrices with `Ops.pack` for faster decode.
    public init(file: GGUFFile, pack: Bool = true) throws(LlamaModelError) {
        let config = try LlamaConfig(gguf: file)
        let loader = TensorLoader(file: file)
        let w = config.embeddingWidth
        tokenEmbedding = try loader.matrix("token_embd.weight", rows: config.vocabularySize, cols: w)
        outputNorm = try loader.vector("output_norm.weight", count: w)
        if file.tensor(named: "output.weight") != nil {
            output = try loader.matrix("output.weight", rows: config.vocabularySize, cols: w)
            isOutputTied = false
        } else {
            output = tokenEmbedding
            isOutputTied = true
        }
        var layers: [LlamaLayerWeights] = []
        layers.reserveCapacity(config.layerCount)
        for i in 0..<config.layerCount {
            let p = "blk.\(i)."
            layers.append(LlamaLayerWeights(
                attentionNorm: try loader.vector(p + "attn_norm.weight", count: w),
                query: try loader.matrix(p + "attn_q.weight", rows: config.queryWidth, cols: w),
                key: try loader.matrix(p + "attn_k.weight", rows: config.kvWidth, cols: w),
                value: try loader.matrix(p + "attn_v.weight", rows: config.kvWidth, cols: w),
                attentionOutput: try loader.matrix(p + "attn_output.weight", rows: w, cols: config.queryWidth),
                ffnNorm: try loader.vector(p + "ffn_norm.weight", count: w),
                gate: try loader.matrix(p + "ffn_gate.weight", rows: config.feedForwardWidth, cols: w),
                up: try loader.matrix(p + "ffn_up.weight", rows: config.feedForwardWidth, cols: w),
                down: try loader.matrix(p + "ffn_down.weight", rows: w, cols: config.feedForwardWidth),
                pack: pack))
        }
        self.file = file
        self.config = config
        self.layers = layers
        packedOutput = pack ? Ops.pack(output) : nil
    }

    /// Parses `bytes` as GGUF and loads its weights.
    public convenience init(bytes: ReadOnlyBytes, pack: Bool = true) throws(LlamaModelError) {
        let file: GGUFFile
        do {
            file = try GGUFFile(bytes: bytes)
        } catch {
            throw .malformedFile(error.description)
        }
        try self.init(file: file, pack: pack)
    }
}

/// Looks tensors up by name and checks them against the shapes the config implies.
private struct TensorLoader {
    let file: GGUFFile

    func info(_ name: String, dimensions expected: [Int]) throws(LlamaModelError) -> (GGUFTensorInfo, WeightFormat) {
        guard let info = file.tensor(named: name) else { throw .missingTensor(name: name) }
        guard info.dimensions == expected else {
            throw .tensorShapeMismatch(name: name, expected: expected, actual: info.dimensions)
        }
        guard let format = WeightFormat(info.type) else {
            throw .unsupportedTensorType(name: name, type: info.type.name)
        }
        return (info, format)
    }

    /// A `rows × cols` matrix (GGUF dims `[cols, rows]`).
    func matrix(_ name: String, rows: Int, cols: Int) throws(LlamaModelError) -> WeightMatrix {
        let (info, format) = try info(name, dimensions: [cols, rows])
        let bytes = file.data(of: info)
        guard let base = bytes.baseAddress else { throw .missingTensor(name: name) }
        let matrix: WeightMatrix
        do {
            matrix = try WeightMatrix(format: format, rows: rows, cols: cols, data: base)
        } catch {
            throw .weightRejected(name: name, reason: error.description)
        }
        guard matrix.byteCount <= bytes.count else {
            throw .weightRejected(name: name, reason: "\(bytes.count) bytes, need \(matrix.byteCount)")
        }
        return matrix
    }

    /// A 1-D tensor of `count` elements (norm weights), widened to `Float`.
    func vector(_ name: String, count: Int) throws(LlamaModelError) -> [Float] {
        let (info, format) = try info(name, dimensions: [count])
        let bytes = file.data(of: info)
        guard let base = bytes.baseAddress else { throw .missingTensor(name: name) }
        let row: WeightMatrix
        do {
            row = try WeightMatrix(format: format, rows: 1, cols: count, data: base)
        } catch {
            throw .weightRejected(name: name, reason: error.description)
        }
        guard row.byteCount <= bytes.count else {
            throw .weightRejected(name: name, reason: "\(bytes.count) bytes, need \(row.byteCount)")
        }
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            if let out = buffer.baseAddress { ReferenceOps.dequantizeRow(row, row: 0, into: out) }
            initialized = count
        }
    }
}

extension WeightFormat {
    /// The kernel format for a GGUF tensor type, or nil when the kernels cannot multiply it.
    init?(_ type: GGMLType) {
        switch type {
        case .f32: self = .f32
        case .f16: self = .f16
        case .bf16: self = .bf16
        case .q4_0: self = .q4_0
        case .q4_1: self = .q4_1
        case .q8_0: self = .q8_0
        case .q4_K: self = .q4_K
        case .q6_K: self = .q6_K
        default: return nil
        }
    }
}
