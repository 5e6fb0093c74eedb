/// The keys and values of one sequence, for every layer (F32).
///
/// Layout: `[layer][kvHead][position][headDimension]`, so one head's keys are contiguous rows that
/// attention streams through with SIMD dot products. Memory is reserved for `capacity` positions
/// up front; the OS commits pages only as positions are written.
///
/// Not thread-safe: one owner (the sequence's request) at a time. A `LlamaContext` appends to it
/// during `forward`; `truncate(to:)` drops the tail (e.g. to rewind a speculative or failed step).
public final class KVCache {
    /// Positions this cache can hold (at most the model's context length).
    public let capacity: Int
    /// Positions written so far; the next token goes at position `count`.
    public internal(set) var count: Int = 0
    let layerCount: Int
    let kvHeadCount: Int
    let headDimension: Int
    let keys: UnsafeMutablePointer<Float>
    let values: UnsafeMutablePointer<Float>

    /// - Throws: `.invalidConfig` when `capacity` is not in `1...config.contextLength`.
    public init(config: LlamaConfig, capacity: Int) throws(LlamaModelError) {
        guard capacity >= 1, capacity <= config.contextLength else {
            throw .invalidConfig("KV cache capacity \(capacity) must be in 1...\(config.contextLength)")
        }
        self.capacity = capacity
        layerCount = config.layerCount
        kvHeadCount = config.kvHeadCount
        headDimension = config.headDimension
        let floats = config.layerCount * config.kvHeadCount * capacity * config.headDimension
        keys = .allocate(capacity: floats)
        values = .allocate(capacity: floats)
    }

    deinit {
        keys.deallocate()
        values.deallocate()
    }

    /// Positions still free.
    public var remaining: Int { capacity - count }

    /// Bytes reserved for keys and values together.
    public var byteCount: Int { 2 * layerCount * kvHeadCount * capacity * headDimension * MemoryLayout<Float>.stride }

    /// Forgets every position at or after `newCount` (clamped to `0...count`).
    public func truncate(to newCount: Int) {
        count = min(max(newCount, 0), count)
    }

    /// Floats between consecutive (layer, head) planes.
    @inline(__always) var planeStride: Int { capacity * headDimension }

    /// First key row of one KV head in one layer.
    @inline(__always) func keyPlane(layer: Int, head: Int) -> UnsafeMutablePointer<Float> {
        keys + (layer * kvHeadCount + head) * planeStride
    }

    /// First value row of one KV head in one layer.
    @inline(__always) func valuePlane(layer: Int, head: Int) -> UnsafeMutablePointer<Float> {
        values + (layer * kvHeadCount + head) * planeStride
    }

    /// Whether this cache was made for a model of `config`'s shape.
    func matches(_ config: LlamaConfig) -> Bool {
        layerCount == config.layerCount && kvHeadCount == config.kvHeadCount && headDimension == config.headDimension
    }
}
