import Engine


/// How a worker pulls an adapter's weights from a peer worker's memory. HTTP today
/// (`HTTPAdapterPeerTransport`); an RDMA transport would implement the same call, writing the
/// received bytes into the same bounded, hash-checking receiver.
public protocol AdapterPeerTransport: Sendable {
    /// Streams adapter `name` from `peer` (a base URL) into `receiver`; returns once the peer's
    /// stream ended. Verification (size, SHA-256) is the caller's `receiver.finish()`.
    func fetch(name: String, from peer: String, adminToken: String?, into receiver: inout AdapterReceiver) async throws(PeerFetchError)
}

/// Why a peer fetch failed, each with the status the fetching worker answers.
public enum PeerFetchError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidPeerURL(String)
    /// Nothing (or a broken connection) came back from the peer.
    case unreachable(peer: String, detail: String)
    case timeout(peer: String)
    /// The peer answered an error status.
    case peerStatus(peer: String, code: Int, message: String)
    /// The peer's stream was malformed, truncated, oversize or failed its checksum.
    case stream(peer: String, AdapterStreamError)

    public var httpStatus: Int {
        switch self {
        case .invalidPeerURL: 400
        case .unreachable: 502
        case .timeout: 504
        case let .peerStatus(_, code, _): code == 404 ? 404 : 502
        case let .stream(_, error):
            if case .payloadTooLarge = error { 413 } else { 502 }
        }
    }

    public var description: String {
        switch self {
        case let .invalidPeerURL(u): "invalid peer_url '\(u)': expected http(s)://host:port"
        case let .unreachable(p, d): "cannot fetch from peer \(p): \(d)"
        case let .timeout(p): "peer \(p) timed out"
        case let .peerStatus(p, c, m): "peer \(p) answered \(c): \(m.prefix(300))"
        case let .stream(p, e): "adapter stream from peer \(p) rejected: \(e.description)"
        }
    }
}
