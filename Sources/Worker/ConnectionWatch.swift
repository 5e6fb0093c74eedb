import NIOCore
import Synchronization

/// Tells a request that its client went away. One watch per connection; requests subscribe for
/// as long as they run and unsubscribe after, so a long keep-alive connection holds nothing for
/// requests that already ended.
package final class ConnectionWatch: Sendable {
    private struct State {
        var closed = false
        var nextToken = 0
        var handlers: [Int: @Sendable () -> Void] = [:]
    }

    private let state = Mutex(State())

    /// Runs `handler` once when the connection's inbound side closes; at once if it already has.
    /// Returns a token for `unsubscribe`, or nil when it already ran.
    package init() {}

    package func subscribe(_ handler: @escaping @Sendable () -> Void) -> Int? {
        let token: Int? = state.withLock { s in
            guard !s.closed else { return nil }
            s.nextToken += 1
            s.handlers[s.nextToken] = handler
            return s.nextToken
        }
        if token == nil { handler() }
        return token
    }

    package func unsubscribe(_ token: Int) {
        _ = state.withLock { $0.handlers.removeValue(forKey: token) }
    }

    /// Marks the connection closed and runs every subscriber (outside the lock).
    package func close() {
        let handlers = state.withLock { s -> [@Sendable () -> Void] in
            s.closed = true
            defer { s.handlers.removeAll() }
            return Array(s.handlers.values)
        }
        for handler in handlers { handler() }
    }
}

/// Finds the watch of a request's connection (keyed by the channel's identity while it is open).
final class ConnectionRegistry: Sendable {
    private let watches = Mutex<[ObjectIdentifier: ConnectionWatch]>([:])

    func add(_ channel: ObjectIdentifier, _ watch: ConnectionWatch) { watches.withLock { $0[channel] = watch } }
    func remove(_ channel: ObjectIdentifier) { _ = watches.withLock { $0.removeValue(forKey: channel) } }
    func watch(for channel: any Channel) -> ConnectionWatch? { watches.withLock { $0[ObjectIdentifier(channel)] } }

    /// A subscription that cancels `onClose` work when the client of `channel` goes away; a no-op
    /// when the channel is not watched (in-memory router tests).
    func subscribe(_ channel: (any Channel)?, onClose: @escaping @Sendable () -> Void) -> DisconnectSubscription {
        guard let channel, let watch = watch(for: channel) else { return DisconnectSubscription(watch: nil, token: nil) }
        return DisconnectSubscription(watch: watch, token: watch.subscribe(onClose))
    }

    var count: Int { watches.withLock { $0.count } }
}

struct DisconnectSubscription: Sendable {
    let watch: ConnectionWatch?
    let token: Int?

    func cancel() {
        if let watch, let token { watch.unsubscribe(token) }
    }
}
