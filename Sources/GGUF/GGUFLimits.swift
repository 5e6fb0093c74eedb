/// Caps on what a GGUF header may declare, checked before anything is allocated, so a hostile
/// file cannot make the reader allocate or loop without bound.
///
/// Defaults fit every llama.cpp model seen in the wild (vocabularies up to ~256k entries, chat
/// templates of tens of KB, thousands of tensors) with a wide margin.
public struct GGUFLimits: Sendable, Equatable {
    /// Most metadata key-value pairs.
    public var maxMetadataCount: Int
    /// Most tensors.
    public var maxTensorCount: Int
    /// Longest string (key, value or tensor name), in bytes.
    public var maxStringBytes: Int
    /// Most elements in one array.
    public var maxArrayCount: Int
    /// Most dimensions per tensor; ggml's `GGML_MAX_DIMS` is 4, and 4...8 are accepted here.
    public var maxDimensions: Int
    /// Deepest array nesting (an array of arrays of scalars has depth 2).
    public var maxNestingDepth: Int
    /// Largest `general.alignment`.
    public var maxAlignment: Int

    public init(
        maxMetadataCount: Int = 1 << 16,
        maxTensorCount: Int = 1 << 20,
        maxStringBytes: Int = 1 << 24,
        maxArrayCount: Int = 1 << 24,
        maxDimensions: Int = 4,
        maxNestingDepth: Int = 8,
        maxAlignment: Int = 1 << 16
    ) {
        self.maxMetadataCount = max(0, maxMetadataCount)
        self.maxTensorCount = max(0, maxTensorCount)
        self.maxStringBytes = max(0, maxStringBytes)
        self.maxArrayCount = max(0, maxArrayCount)
        self.maxDimensions = min(8, max(4, maxDimensions))
        self.maxNestingDepth = max(1, maxNestingDepth)
        self.maxAlignment = max(1, maxAlignment)
    }
}

/// Which of `GGUFLimits` a file exceeded.
public enum GGUFLimit: String, Sendable, Equatable, CaseIterable {
    case metadataCount, tensorCount, stringBytes, arrayCount, dimensions, nestingDepth, alignment
}
