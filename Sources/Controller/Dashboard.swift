import Foundation

/// `GET /dashboard`: one server-rendered HTML page that refreshes itself every 2 s. No scripts.
enum Dashboard {
    static func render(_ c: Controller) async -> String {
        let workers = await c.state.workers.values.sorted { $0.url < $1.url }
        let infos = await c.state.loraInfos()
        let actions = await c.state.actions.suffix(25).reversed()
        let metrics = await c.state.metrics
        let placementByWorker = Dictionary(grouping: infos.flatMap { i in i.placement.map { ($0, i) } }, by: \.0)
            .mapValues { $0.map(\.1) }
        var html = """
        <!doctype html><html><head><meta charset="utf-8"><meta http-equiv="refresh" content="2">
        <title>LoRAServe controller</title><style>
        body{font-family:system-ui,sans-serif;margin:20px;background:#fafafa;color:#222}
        h1{font-size:20px}h2{font-size:16px;margin-top:24px}
        .workers{display:flex;gap:12px;flex-wrap:wrap}
        .w{background:#fff;border:1px solid #ddd;border-radius:8px;padding:10px;min-width:260px;max-width:420px}
        .down{opacity:.5;border-color:#c00}
        .chip{display:inline-block;padding:2px 6px;margin:2px;border-radius:10px;font-size:12px;color:#fff}
        table{border-collapse:collapse;font-size:13px;background:#fff}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left}
        .bar{height:8px;background:#eee;border-radius:4px}.bar>div{height:8px;border-radius:4px;background:#4a7}
        .legend span{margin-right:8px}
        </style></head><body>
        <h1>LoRAServe controller</h1>
        <p>\(workers.filter(\.isUp).count)/\(workers.count) workers up · \(infos.count) adapters · \(metrics.routedRequests) requests routed ·
        \(metrics.retries) retries · \(metrics.streamErrors) stream errors · \(metrics.plans) plans (last solve \(ms(metrics.lastSolveSeconds)))</p>
        <p class="legend">rank: \([8, 16, 32, 64, 128].map { "<span class=\"chip\" style=\"background:\(color(rank: $0))\">r\($0)</span>" }.joined())</p>
        <h2>Workers</h2><div class="workers">
        """
        for w in workers {
            let hosted = (placementByWorker[w.url] ?? []).sorted { ($0.rank, $0.name) < ($1.rank, $1.name) }
            let load = min(1, Double(w.inFlight + (w.scrape?.waiting ?? 0)) / 16)
            let ttft = w.scrape.map { s in
                ["p50": 0.5, "p90": 0.9, "p99": 0.99].sorted { $0.value < $1.value }
                    .map { "\($0.key) \(HistogramQuantile.quantile($0.value, buckets: s.ttftBuckets).map(ms) ?? "–")" }.joined(separator: " · ")
            } ?? "no scrape yet"
            html += """
            <div class="w\(w.isUp ? "" : " down")"><b>\(esc(w.url))</b> \(w.isUp ? "<span style=\"color:#2a2\">●</span> up" : "<span style=\"color:#c00\">●</span> DOWN")<br>
            in flight \(w.inFlight) · running \(w.scrape?.running ?? 0) · waiting \(w.scrape?.waiting ?? 0) · routed \(w.routed)
            <div class="bar"><div style="width:\(Int(load * 100))%"></div></div>
            TTFT \(ttft)<br>
            \(hosted.map { "<span class=\"chip\" style=\"background:\(color(rank: $0.rank))\" title=\"rank \($0.rank)\">\(esc($0.name))</span>" }.joined())
            </div>
            """
        }
        html += "</div><h2>Adapters</h2><table><tr><th>adapter</th><th>rank</th><th>replicas</th><th>requests</th><th>rate (req/s)</th></tr>"
        for i in infos.sorted(by: { ($0.request_rate, $0.name) > ($1.request_rate, $1.name) }) {
            html += "<tr><td><span class=\"chip\" style=\"background:\(color(rank: i.rank))\">\(esc(i.name))</span></td><td>\(i.rank)</td>"
                + "<td>\(i.placement.map(esc).joined(separator: "<br>"))</td><td>\(i.requests)</td><td>\(String(format: "%.2f", i.request_rate))</td></tr>"
        }
        html += "</table><h2>Recent placement actions</h2><table><tr><th>#</th><th>t (s)</th><th>action</th><th>adapter</th><th>worker</th><th>reason</th><th>outcome</th></tr>"
        for a in actions {
            html += "<tr><td>\(a.sequence)</td><td>\(String(format: "%.1f", a.at))</td><td>\(a.kind)</td><td>\(esc(a.adapter))</td>"
                + "<td>\(esc(a.worker))</td><td>\(esc(a.reason))</td><td>\(esc(a.outcome))</td></tr>"
        }
        html += "</table></body></html>\n"
        return html
    }

    /// Green (rank 8) → red (rank 128) on a log scale.
    static func color(rank: Int) -> String {
        let t = min(max((log2(Double(max(rank, 1))) - 3) / 4, 0), 1)
        return "hsl(\(Int(120 - 120 * t)),65%,42%)"
    }

    static func ms(_ s: Double) -> String { String(format: "%.1f ms", s * 1000) }

    static func esc(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
