/// Activation buffers of a `LlamaContext`, allocated once for `tokens` batch tokens.
///
/// Row `t` of each buffer belongs to batch token `t` (row widths in the comments).
final class ForwardScratch {
    let hidden: UnsafeMutablePointer<Float>      // embeddingWidth: the residual stream
    let normed: UnsafeMutablePointer<Float>      // embeddingWidth
    let query: UnsafeMutablePointer<Float>       // queryWidth
    let key: UnsafeMutablePointer<Float>         // kvWidth
    let value: UnsafeMutablePointer<Float>       // kvWidth
    let attention: UnsafeMutablePointer<Float>   // queryWidth
    let projected: UnsafeMutablePointer<Float>   // embeddingWidth
    let gate: UnsafeMutablePointer<Float>        // feedForwardWidth
    let up: UnsafeMutablePointer<Float>          // feedForwardWidth
    let ropeCos: UnsafeMutablePointer<Float>     // headDimension / 2
    let ropeSin: UnsafeMutablePointer<Float>     // headDimension / 2
    let headInput: UnsafeMutablePointer<Float>   // embeddingWidth, per logit row
    let logits: UnsafeMutablePointer<Float>      // vocabularySize, per logit row
    /// Attention work items: at most one per (token, query head).
    let items: UnsafeMutablePointer<AttentionItem>
    let itemCapacity: Int
    private var owned: [UnsafeMutablePointer<Float>] = []

    init(config: LlamaConfig, tokens: Int, logitRows: Int) {
        func make(_ width: Int, _ rows: Int = tokens) -> UnsafeMutablePointer<Float> {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: max(width * rows, 1))
            p.initialize(repeating: 0, count: max(width * rows, 1))
            return p
        }
        hidden = make(config.embeddingWidth)
        normed = make(config.embeddingWidth)
        query = make(config.queryWidth)
        key = make(config.kvWidth)
        value = make(config.kvWidth)
        attention = make(config.queryWidth)
        projected = make(config.embeddingWidth)
        gate = make(config.feedForwardWidth)
        up = make(config.feedForwardWidth)
        ropeCos = make(config.headDimension / 2)
        ropeSin = make(config.headDimension / 2)
        headInput = make(config.embeddingWidth, logitRows)
        logits = make(config.vocabularySize, logitRows)
        owned = [hidden, normed, query, key, value, attention, projected, gate, up, ropeCos, ropeSin, headInput, logits]
        itemCapacity = tokens * config.headCount
        items = .allocate(capacity: itemCapacity)
    }

    deinit {
        for p in owned { p.deallocate() }
        items.deallocate()
    }
}

/// One unit of attention work: query head `head` for batch tokens `first..<end` of chunk `chunk`.
struct AttentionItem {
    var chunk: Int32
    var head: Int32
    var first: Int32
    var end: Int32
}

/// Where each chunk of the batch in flight lives (arrays keep their capacity between steps).
struct BatchLayout {
    var caches: [KVCache] = []
    var tokenStart: [Int] = []
    var tokenCount: [Int] = []
    /// Cache position of each chunk's first new token.
    var startPosition: [Int] = []
    var logits: [LogitRequest] = []
    /// Cache position of every batch token.
    var positions: [Int] = []
    var seen: Set<ObjectIdentifier> = []

    var chunkCount: Int { caches.count }
    var tokenTotal: Int { positions.count }

    mutating func reserve(_ tokens: Int) {
        for array in [\BatchLayout.tokenStart, \.tokenCount, \.startPosition, \.positions] {
            self[keyPath: array].reserveCapacity(tokens)
        }
        caches.reserveCapacity(tokens)
        logits.reserveCapacity(tokens)
        seen.reserveCapacity(tokens)
    }

    mutating func clear() {
        caches.removeAll(keepingCapacity: true)
        tokenStart.removeAll(keepingCapacity: true)
        tokenCount.removeAll(keepingCapacity: true)
        startPosition.removeAll(keepingCapacity: true)
        logits.removeAll(keepingCapacity: true)
        positions.removeAll(keepingCapacity: true)
        seen.removeAll(keepingCapacity: true)
    }

    mutating func append(cache: KVCache, tokenStart start: Int, tokenCount count: Int, logits request: LogitRequest) {
        caches.append(cache)
        tokenStart.append(start)
        tokenCount.append(count)
        startPosition.append(cache.count)
        logits.append(request)
        for i in 0..<count { positions.append(cache.count + i) }
    }
}
