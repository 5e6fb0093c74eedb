import Placement
import ServeCore

extension ControllerState {
    public func loraInfos() -> [LoRAInfo] {
        adapters.values.sorted { $0.name < $1.name }.map { a in
            let residency = workers.values.sorted { $0.url < $1.url }.compactMap { w -> LoRAInfo.Residency? in
                guard let r = w.scrape?.adapters.first(where: { $0.name == a.name }) else { return nil }
                return LoRAInfo.Residency(worker: w.url, residency: r.residency ?? "loaded", up: w.isUp)
            }
            return LoRAInfo(name: a.name, path: a.path, rank: a.rank, bytes: a.bytes, pinned: a.pinned, tenant: a.tenant,
                            placement: placement.workers(for: a.id).map(\.rawValue), residency: residency,
                            requests: metrics.requestsByAdapter[a.name] ?? 0,
                            request_rate: rates.rate(of: a.id).requestsPerSecond)
        }
    }

    public func workerInfos() -> [WorkerInfo] {
        let byWorker = placement.adaptersByWorker()
        return workers.values.sorted { $0.url < $1.url }.map { w in
            WorkerInfo(url: w.url, origin: w.origin.rawValue, up: w.isUp, in_flight: w.inFlight,
                       running: w.scrape?.running ?? 0, waiting: w.scrape?.waiting ?? 0, routed: w.routed,
                       adapters: (byWorker[w.id] ?? []).map(\.rawValue))
        }
    }

    public func renderMetrics() -> String {
        let r = adapters.keys.sorted().map { ($0, rates.rate(of: AdapterID($0)).requestsPerSecond) }
        return ControllerMetricsRenderer.render(metrics, workers: workers.values.sorted { $0.url < $1.url }, rates: r, policy: config.policy)
    }

    /// Registered adapters as `/v1/models` cards, after the base model.
    public func modelNames() -> (base: String?, adapters: [AdapterRecord]) {
        (baseModel, adapters.values.sorted { $0.name < $1.name })
    }
}
