import Placement
import ServeCore

/// How a new replica got its weights.
public enum PeerLoadOutcome: Sendable, Equatable {
    /// Copied from the peer's memory.
    case peer(String)
    /// Loaded from the adapter's source path (no usable peer, or a worker without peer transfer).
    case path
    /// The peer fetch failed (`reason`); the source path load succeeded.
    case pathAfterPeerFailure(peer: String, reason: String)

    /// The action-log outcome ("ok" plus how, when it was not the planned way).
    var actionOutcome: String {
        switch self {
        case .peer, .path: "ok"
        case let .pathAfterPeerFailure(peer, reason): "ok (peer fetch from \(peer) failed: \(reason); loaded from source path)"
        }
    }
}

extension Controller {
    /// Whether `worker` speaks LoRAServe's peer transfer: it answered `/v1/adapters` (vLLM does not).
    func supportsPeerTransfer(_ worker: String) async -> Bool {
        await state.workers[worker]?.scrape?.hasAdapterEndpoint == true
    }

    /// A worker other than `worker` holding `adapter` in memory (scraped residency `active` or
    /// `host`; a disk-only copy cannot be exported): the router's choice `proposed` when it
    /// qualifies, else the least loaded one that does.
    func peerSource(for adapter: String, excluding worker: String, proposed: String? = nil) async -> String? {
        let candidates = await state.workers.values.filter { w in
            w.url != worker && w.isUp && w.scrape?.hasAdapterEndpoint == true
                && (w.scrape?.adapters.contains { $0.name == adapter && $0.residency != "disk" && $0.residency != "loading" } ?? false)
        }
        if let proposed, candidates.contains(where: { $0.url == proposed }) { return proposed }
        return candidates.min { ($0.inFlightWork, $0.url) < ($1.inFlightWork, $1.url) }?.url
    }

    /// Gives `worker` a copy of `adapter`: from `peer`'s memory when both workers speak peer
    /// transfer, else (or when that fails) from the adapter's source path. Throws only when the
    /// path load fails too.
    public func loadReplica(_ adapter: AdapterRecord, on worker: String, peer: String?) async throws(TransportError) -> PeerLoadOutcome {
        var peerFailure: (String, String)?
        if let peer, peer != worker, await supportsPeerTransfer(worker), await supportsPeerTransfer(peer),
           await state.workers[peer]?.isUp == true {
            do {
                try await transport.fetchAdapter(worker, name: adapter.name, fromPeer: peer)
                return .peer(peer)
            } catch {
                Log.info("peer fetch of \(adapter.name) from \(peer) to \(worker) failed: \(error); loading from source path")
                peerFailure = (peer, error.description)
            }
        }
        try await transport.loadAdapter(worker, name: adapter.name, path: adapter.path)
        if let (peer, reason) = peerFailure { return .pathAfterPeerFailure(peer: peer, reason: reason) }
        return .path
    }

    /// The proxy's on-demand load (remote adapter access): a peer's memory when one holds the
    /// adapter (the router's `proposed` source when it does), else storage. Peer attempts are
    /// logged as `fetch_from_peer` actions with the router's reason.
    /// Baseline policies (round-robin, affinity) load from storage, as the systems they stand for do.
    func loadOnDemand(_ adapter: AdapterRecord, on worker: String, from proposed: String?, reason: String) async throws(TransportError) {
        guard config.policy.usesPeerFetch,
              let peer = await peerSource(for: adapter.name, excluding: worker, proposed: proposed) else {
            try await transport.loadAdapter(worker, name: adapter.name, path: adapter.path)
            return
        }
        let action = ControlAction(.fetchFromPeer(peer: WorkerID(peer)), adapter: AdapterID(adapter.name), worker: WorkerID(worker),
                                   reason: "on demand: \(reason)")
        let t0 = now()
        do {
            let outcome = try await loadReplica(adapter, on: worker, peer: peer)
            _ = await record(action, outcome.actionOutcome, since: t0)
        } catch {
            _ = await record(action, "failed: \(error)", since: t0)
            throw error
        }
    }
}
