import ServeCore
import Synchronization

/// Remembers the tokens of recently merged words (prose repeats words constantly).
///
/// Shared by all copies of a `BPETokenizer` (it is a reference), so it is guarded by a mutex;
/// the lock is held only for one dictionary probe or insert. Bounded: when full it is cleared
/// rather than tracking recency, which keeps the hit path to a single hash lookup.
final class WordCache: Sendable {
    /// Words longer than this are merged every time (rare, and they would bloat the cache).
    static let maxWordBytes = 48
    private let capacity: Int
    private let storage = Mutex<[ArraySlice<UInt8>: [TokenID]]>([:])

    init(capacity: Int = 32_768) {
        self.capacity = capacity
    }

    /// Appends the cached tokens for `word` to `output`; false on a miss.
    func append(_ word: ArraySlice<UInt8>, to output: inout [TokenID]) -> Bool {
        storage.withLock { table in
            guard let tokens = table[word] else { return false }
            output.append(contentsOf: tokens)
            return true
        }
    }

    func insert(_ word: ArraySlice<UInt8>, tokens: ArraySlice<TokenID>) {
        // Copy the key so the cache does not keep the caller's whole input buffer alive.
        let key = ArraySlice(Array(word))
        let value = Array(tokens)
        storage.withLock { table in
            if table.count >= capacity { table.removeAll(keepingCapacity: true) }
            table[key] = value
        }
    }

    var count: Int { storage.withLock { $0.count } }
}
