import Foundation
import Placement
import Reports
import Simulator

/// Renders the paper experiment into report.md, summary.json and SVG plots (file name → text).
struct PaperReport {
    let settings: PaperSettings
    let results: PaperResults
    let wallSeconds: Double

    var baselines: [SimPolicy] { settings.policies.filter { $0 != .ours } }

    /// The headline comparisons: (metric, ours, best baseline name, its value, ratio text).
    struct Headline {
        var metric: String
        var ours: String
        var baseline: String
        var baselineValue: String
        var ratio: String
        var meaning: String
    }

    static func headlines(_ s: PaperSettings, _ r: PaperResults) -> [Headline] {
        let bases = s.policies.filter { $0 != .ours }
        var out: [Headline] = []
        // Throughput: highest sustainable rate under the SLO.
        let oursRate = r.maxRate[.ours]?.value
        if let best = bases.max(by: { (r.maxRate[$0]?.value ?? 0) < (r.maxRate[$1]?.value ?? 0) }) {
            let b = r.maxRate[best]?.value
            out.append(Headline(metric: "max sustainable rate (req/s, \(s.workers) workers)", ours: oursRate.map { Markdown.number($0) } ?? "< \(Markdown.number(s.searchLow))",
                                baseline: best.rawValue, baselineValue: b.map { Markdown.number($0) } ?? "< \(Markdown.number(s.searchLow))",
                                ratio: Markdown.ratio(oursRate, b), meaning: "throughput ratio (higher is better for ours)"))
        }
        // p99 TTFT at the reference rate.
        let oursP99 = r.reference[.ours]?.result.ttft.p99
        if let best = bases.min(by: { (r.reference[$0]?.result.ttft.p99 ?? .infinity) < (r.reference[$1]?.result.ttft.p99 ?? .infinity) }) {
            let b = r.reference[best]?.result.ttft.p99
            out.append(Headline(metric: "p99 TTFT at \(Markdown.number(s.referenceRate)) req/s (s)", ours: oursP99.map { Markdown.number($0) } ?? "n/a",
                                baseline: best.rawValue, baselineValue: b.map { Markdown.number($0) } ?? "n/a",
                                ratio: Markdown.ratio(b, oursP99), meaning: "baseline ÷ ours (higher is better for ours)"))
        }
        // Fewest workers meeting the SLO at the reference rate.
        let oursW = r.minWorkers[.ours]?.value
        if let best = bases.min(by: { (r.minWorkers[$0]?.value ?? .infinity) < (r.minWorkers[$1]?.value ?? .infinity) }) {
            let b = r.minWorkers[best]?.value
            var meaning = "ours ÷ baseline (lower is better for ours)"
            if let o = oursW, let bb = b, bb > 0 { meaning += String(format: "; %.0f%% fewer workers", (1 - o / bb) * 100) }
            out.append(Headline(metric: "workers needed at \(Markdown.number(s.referenceRate)) req/s", ours: oursW.map { String(Int($0)) } ?? "> \(s.maxWorkers)",
                                baseline: best.rawValue, baselineValue: b.map { String(Int($0)) } ?? "> \(s.maxWorkers)",
                                ratio: Markdown.ratio(oursW, b), meaning: meaning))
        }
        return out
    }

    static func headlineLines(settings: PaperSettings, results: PaperResults) -> [String] {
        headlines(settings, results).map { "\($0.metric): ours \($0.ours) vs \($0.baseline) \($0.baselineValue) → \($0.ratio) (\($0.meaning))" }
    }

    func render() -> [String: String] {
        var files: [String: String] = [:]
        files["throughput-vs-load.svg"] = sweepChart(title: "Throughput vs offered load", y: "completed req/s") { $0.throughputRps }
        files["slo-vs-load.svg"] = sweepChart(title: "SLO attainment vs offered load", y: "fraction meeting the SLO", yRange: 0...1) { $0.sloAttainment }
        files["ttft-p99-vs-load.svg"] = sweepChart(title: "p99 TTFT vs offered load", y: "seconds (log)", logY: true) { max($0.ttft.p99, 1e-3) }
        files["ttft-cdf.svg"] = SVGChart.cdf(
            ChartSpec(title: "TTFT CDF at \(Markdown.number(settings.referenceRate)) req/s (\(settings.workers) workers)",
                      xLabel: "TTFT, seconds (capped at 30)", yLabel: "fraction of completed requests", xRange: 0...30),
            samples: settings.policies.map { ($0.rawValue, (results.reference[$0]?.ttfts ?? []).map { min($0, 30) }) })
        files["workers-vs-slo.svg"] = workersChart()
        files["drift-timeline.svg"] = timelineChart()
        files["summary.json"] = summaryJSON()
        files["report.md"] = markdown()
        return files
    }

    private func sweepChart(title: String, y: String, logY: Bool = false, yRange: ClosedRange<Double>? = nil,
                            _ metric: (SimulationResult) -> Double) -> String {
        let series = settings.policies.map { p in
            ChartSeries(name: p.rawValue, points: zip(settings.rates, results.sweep[p] ?? []).map { ChartPoint(x: $0, y: metric($1)) },
                        dashed: p != .ours)
        }
        return SVGChart.line(ChartSpec(title: title, xLabel: "offered load, req/s (\(settings.workers) workers)", yLabel: y, logY: logY,
                                       yRange: yRange), series: series)
    }

    private func workersChart() -> String {
        var series = settings.policies.map { p in
            ChartSeries(name: p.rawValue, points: (results.minWorkers[p]?.probes ?? []).sorted { $0.workers < $1.workers }
                .map { ChartPoint(x: Double($0.workers), y: $0.sloAttainment) }, dashed: p != .ours)
        }
        series.append(ChartSeries(name: "target \(Markdown.number(settings.sloTarget))",
                                  points: [.init(x: 1, y: settings.sloTarget), .init(x: Double(settings.maxWorkers), y: settings.sloTarget)],
                                  dashed: true))
        return SVGChart.line(ChartSpec(title: "SLO attainment vs fleet size at \(Markdown.number(settings.referenceRate)) req/s (search probes)",
                                       xLabel: "workers", yLabel: "fraction meeting the SLO", yRange: 0...1), series: series)
    }

    /// p99 TTFT per arrival window (failed requests count as the drain limit), drift and ours' placement actions marked.
    private func timelineChart() -> String {
        let window = settings.quick ? 2.0 : 5.0
        let cap = settings.drainLimitSeconds
        let series = settings.policies.map { p -> ChartSeries in
            let samples = results.drift[p]?.samples ?? []
            var buckets: [Int: [Double]] = [:]
            for s in samples { buckets[Int(s.arrivalSeconds / window), default: []].append(s.ttftSeconds ?? cap) }
            let pts = buckets.keys.sorted().compactMap { k -> ChartPoint? in
                guard let v = buckets[k], !v.isEmpty else { return nil }
                return ChartPoint(x: (Double(k) + 0.5) * window, y: max(Percentiles(v).p99, 1e-3))
            }
            return ChartSeries(name: p.rawValue, points: pts, dashed: p != .ours)
        }
        var markers = settings.driftTimes.map { ChartMarker(x: $0, label: "popularity shift", style: .event, colorIndex: 6) }
        for a in results.drift[.ours]?.result.timeline ?? [] where a.timeSeconds <= settings.drift.durationSeconds {
            markers.append(ChartMarker(x: a.timeSeconds, label: "ours: placement action", style: .tick, colorIndex: 0))
        }
        return SVGChart.line(ChartSpec(title: "Popularity shift: p99 TTFT per \(Int(window)) s window (\(settings.drift.name))",
                                       xLabel: "arrival time, s", yLabel: "p99 TTFT, s (log)", logY: true,
                                       xRange: 0...settings.drift.durationSeconds), series: series, markers: markers)
    }
}
