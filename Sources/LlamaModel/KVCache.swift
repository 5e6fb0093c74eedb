/// The keys and values of one sequence, for every layer (F32 or F16, see `KVPrecision`).
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
    public let precision: KVPrecision
    let keys: UnsafeMutableRawPointer
    let values: UnsafeMutableRawPointer

    /// - Throws: `.invalidConfig` when `capacity` is not in `1...config.contextLength`.
    public init(config: LlamaConfig, capacity: Int, precision: KVPrecision = .f16) throws(LlamaModelError) {
        guard capacity >= 1, capacity <= config.contextLength else {
            throw .invalidConfig("KV cache capacity \(capacity) must be in 1...\(config.contextLength)")
        }
        self.capacity = capacity
        layerCount = config.layerCount
        kvHeadCount = config.kvHeadCount
        headDimension = config.headDimension
        self.precision = precision
        let bytes = config.layerCount * config.kvHeadCount * capacity * config.headDimension * precision.elementBytes
        keys = .allocate(byteCount: bytes, alignment: 64)
        values = .allocate(byteCount: bytes, alignment: 64)
    }

    deinit {
        keys.deallocate()
        values.deallocate()
    }

    /// Positions still free.
    public var remaining: Int { capacity - count }

    /// Bytes reserved for keys and values together.
    public var byteCount: Int { 2 * layerCount * kvHeadCount * capacity * headDimension * precision.elementBytes }

    /// Forgets every position at or after `newCount` (clamped to `0...count`).
    public func truncate(to newCount: Int) {
        count = min(max(newCount, 0), count)
    }

    /// Elements between consecutive (layer, head) planes.
    @inline(__always) var planeStride: Int { capacity * headDimension }

    /// First key row of one KV head in one layer, as elements of type `E` (matching `precision`).
    @inline(__always) func keyPlane<E: KVElement>(layer: Int, head: Int, as _: E.Type) -> UnsafeMutablePointer<E> {
        keys.assumingMemoryBound(to: E.self) + (layer * kvHeadCount + head) * planeStride
    }

    /// First value row of one KV head in one layer, as elements of type `E` (matching `precision`).
    @inline(__always) func valuePlane<E: KVElement>(layer: Int, head: Int, as _: E.Type) -> UnsafeMutablePointer<E> {
        values.assumingMemoryBound(to: E.self) + (layer * kvHeadCount + head) * planeStride
    }

    /// Whether this cache was made for a model of `config`'s shape.
    func matches(_ config: LlamaConfig) -> Bool {
        layerCount == config.layerCount && kvHeadCount == config.kvHeadCount && headDimension == config.headDimension
    }
}
