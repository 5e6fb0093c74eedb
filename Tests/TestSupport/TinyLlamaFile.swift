import GGUF
import ServeCore

/// Builds a tiny, valid Llama-architecture GGUF in memory: random F32 weights and a byte-level
/// GPT-2 vocabulary (256 byte tokens, no merges) plus ChatML control tokens. Tests of the CLI, the
/// engine and the servers run it instead of the real model.
public struct TinyLlamaFile {
    public var layers = 2
    public var width = 64
    public var ffn = 96
    public var heads = 4
    public var kvHeads = 2
    public var contextLength = 64
    public var architecture = "llama"
    public var seed: UInt64 = 1

    public static let controlTokens = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    public static let chatTemplate =
        "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"

    public init() {}

    /// Control tokens take ids 0, 1, 2 (as in SmolLM2: unk/bos, eos); byte b is token 3 + b.
    public var vocabularySize: Int { Self.controlTokens.count + 256 }

    public func serialized() throws -> [UInt8] {
        var rng = SplitMix64(seed: seed)
        var w = GGUFWriter()
        w.set("general.architecture", .string(architecture))
        w.set("general.name", .string("tiny-test-llama"))
        let prefix = architecture
        w.set("\(prefix).block_count", .uint32(UInt32(layers)))
        w.set("\(prefix).embedding_length", .uint32(UInt32(width)))
        w.set("\(prefix).feed_forward_length", .uint32(UInt32(ffn)))
        w.set("\(prefix).attention.head_count", .uint32(UInt32(heads)))
        w.set("\(prefix).attention.head_count_kv", .uint32(UInt32(kvHeads)))
        w.set("\(prefix).rope.freq_base", .float32(10_000))
        w.set("\(prefix).rope.dimension_count", .uint32(UInt32(width / heads)))
        w.set("\(prefix).attention.layer_norm_rms_epsilon", .float32(1e-5))
        w.set("\(prefix).context_length", .uint32(UInt32(contextLength)))
        w.set("\(prefix).vocab_size", .uint32(UInt32(vocabularySize)))
        w.set("tokenizer.ggml.model", .string("gpt2"))
        w.set("tokenizer.ggml.pre", .string("smollm"))
        let tokens = Self.controlTokens + (0..<256).map { ByteLevelAlphabet.character(for: UInt8($0)) }
        w.set("tokenizer.ggml.tokens", .array(tokens.map { .string($0) }))
        w.set("tokenizer.ggml.token_type", .array(tokens.indices.map { .int32($0 < Self.controlTokens.count ? 3 : 1) }))
        w.set("tokenizer.ggml.merges", .array([]))
        w.set("tokenizer.ggml.bos_token_id", .uint32(1))
        w.set("tokenizer.ggml.eos_token_id", .uint32(2))
        w.set("tokenizer.ggml.unknown_token_id", .uint32(0))
        w.set("tokenizer.ggml.padding_token_id", .uint32(2))
        w.set("tokenizer.ggml.add_bos_token", .bool(false))
        w.set("tokenizer.chat_template", .string(Self.chatTemplate))

        let headDim = width / heads
        func add(_ name: String, _ dims: [Int], scale: Float) throws {
            let count = dims.reduce(1, *)
            var floats = [Float](repeating: 0, count: count)
            for i in 0..<count { floats[i] = scale == 0 ? 1 : (rng.nextUnitFloat() * 2 - 1) * scale }
            let bytes = floats.withUnsafeBytes { Array($0) }
            try w.addTensor(name: name, dimensions: dims, type: .f32, data: bytes)
        }
        try add("token_embd.weight", [width, vocabularySize], scale: 0.5)
        for l in 0..<layers {
            try add("blk.\(l).attn_norm.weight", [width], scale: 0)
            try add("blk.\(l).attn_q.weight", [width, width], scale: 0.2)
            try add("blk.\(l).attn_k.weight", [width, kvHeads * headDim], scale: 0.2)
            try add("blk.\(l).attn_v.weight", [width, kvHeads * headDim], scale: 0.2)
            try add("blk.\(l).attn_output.weight", [width, width], scale: 0.2)
            try add("blk.\(l).ffn_norm.weight", [width], scale: 0)
            try add("blk.\(l).ffn_gate.weight", [width, ffn], scale: 0.2)
            try add("blk.\(l).ffn_up.weight", [width, ffn], scale: 0.2)
            try add("blk.\(l).ffn_down.weight", [ffn, width], scale: 0.2)
        }
        try add("output_norm.weight", [width], scale: 0)
        return try w.validatedSerialization()
    }
}

/// GPT-2's reversible byte → printable-character mapping (bytes_to_unicode).
public enum ByteLevelAlphabet {
    public static func character(for byte: UInt8) -> String {
        let b = Int(byte)
        let printable = (33...126).contains(b) || (161...172).contains(b) || (174...255).contains(b)
        if printable { return String(UnicodeScalar(UInt8(b))) }
        var n = 0
        for candidate in 0..<b {
            let p = (33...126).contains(candidate) || (161...172).contains(candidate) || (174...255).contains(candidate)
            if !p { n += 1 }
        }
        return String(Character(UnicodeScalar(UInt32(256 + n)) ?? "?"))
    }
}
