import Foundation

/// A fixed-bucket histogram (Prometheus style: cumulative on render).
public struct LatencyHistogram: Sendable {
    public static let defaultBounds: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
    public let bounds: [Double]
    public private(set) var counts: [Int]
    public private(set) var sum = 0.0
    public private(set) var count = 0

    public init(bounds: [Double] = LatencyHistogram.defaultBounds) {
        self.bounds = bounds
        counts = [Int](repeating: 0, count: bounds.count + 1)
    }

    public mutating func observe(_ seconds: Double) {
        let i = bounds.firstIndex { seconds <= $0 } ?? bounds.count
        counts[i] += 1
        sum += seconds
        count += 1
    }

    /// Cumulative buckets (le → count), +Inf last.
    public var cumulative: [(le: Double, count: Double)] {
        var running = 0
        return (bounds + [.infinity]).enumerated().map { i, le in
            running += counts[i]
            return (le: le, count: Double(running))
        }
    }

    public func quantile(_ q: Double) -> Double? { HistogramQuantile.quantile(q, buckets: cumulative) }
}

/// The controller's own counters, rendered at `/metrics`.
public struct ControllerMetrics: Sendable {
    public var routedRequests = 0
    public var routedTokens = 0.0
    public var routedByWorker: [String: Int] = [:]
    public var requestsByAdapter: [String: Int] = [:]
    /// Attempts repeated on another worker after a failure before any byte reached the client.
    public var retries = 0
    public var retriedAndCompleted = 0
    /// Streams that broke after they started (ended with an SSE error event).
    public var streamErrors = 0
    public var failedRequests = 0
    public var responsesByStatus: [Int: Int] = [:]
    /// Decisions that broke the bounded-load guard / needed the adapter loaded on the worker.
    public var overBound = 0
    public var remoteAccess = 0
    public var placementActions: [String: Int] = [:]
    public var plans = 0
    public var lastSolveSeconds = 0.0
    public var maxSolveSeconds = 0.0
    public var lastTrigger = ""
    public var lastPlanActions = 0
    public var workerTransitions = 0
    /// Controller arrival → first response byte from the worker.
    public var firstByte = LatencyHistogram()
    /// Time spent in the controller itself before forwarding (parse + route), the proxy overhead.
    public var overhead = LatencyHistogram()

    public init() {}
}

/// Renders Prometheus text (0.0.4) for the controller.
enum ControllerMetricsRenderer {
    static func render(_ m: ControllerMetrics, workers: [WorkerRecord], rates: [(String, Double)], policy: PolicyMode = .ours) -> String {
        var out = ""
        func family(_ name: String, _ type: String, _ help: String) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        }
        func line(_ name: String, _ labels: [(String, String)] = [], _ value: Double) {
            let l = labels.isEmpty ? "" : "{" + labels.map { "\($0.0)=\"\(escape($0.1))\"" }.joined(separator: ",") + "}"
            out += "\(name)\(l) \(format(value))\n"
        }
        family("loraserve_controller_policy_info", "gauge", "The placement/routing policy in use (label), always 1")
        line("loraserve_controller_policy_info", [("policy", policy.rawValue)], 1)
        family("loraserve_controller_worker_up", "gauge", "1 when the worker passes health checks")
        for w in workers { line("loraserve_controller_worker_up", [("worker", w.url)], w.isUp ? 1 : 0) }
        family("loraserve_controller_worker_in_flight", "gauge", "Requests in flight to the worker")
        for w in workers { line("loraserve_controller_worker_in_flight", [("worker", w.url)], Double(w.inFlight)) }
        family("loraserve_controller_routed_requests_total", "counter", "Routing decisions per worker")
        for (w, n) in m.routedByWorker.sorted(by: { $0.key < $1.key }) { line("loraserve_controller_routed_requests_total", [("worker", w)], Double(n)) }
        family("loraserve_controller_adapter_requests_total", "counter", "Requests per adapter")
        for (a, n) in m.requestsByAdapter.sorted(by: { $0.key < $1.key }) { line("loraserve_controller_adapter_requests_total", [("adapter", a)], Double(n)) }
        family("loraserve_controller_adapter_request_rate", "gauge", "EWMA request rate per adapter, requests/s")
        for (a, r) in rates { line("loraserve_controller_adapter_request_rate", [("adapter", a)], r) }
        family("loraserve_controller_retries_total", "counter", "Attempts repeated on another worker before any byte was sent")
        line("loraserve_controller_retries_total", [], Double(m.retries))
        family("loraserve_controller_retried_completed_total", "counter", "Requests that completed after at least one retry")
        line("loraserve_controller_retried_completed_total", [], Double(m.retriedAndCompleted))
        family("loraserve_controller_stream_errors_total", "counter", "Streams ended with an error event after they started")
        line("loraserve_controller_stream_errors_total", [], Double(m.streamErrors))
        family("loraserve_controller_responses_total", "counter", "Responses by HTTP status")
        for (s, n) in m.responsesByStatus.sorted(by: { $0.key < $1.key }) { line("loraserve_controller_responses_total", [("status", String(s))], Double(n)) }
        family("loraserve_controller_route_over_bound_total", "counter", "Routing decisions above the bounded-load guard")
        line("loraserve_controller_route_over_bound_total", [], Double(m.overBound))
        family("loraserve_controller_remote_access_total", "counter", "Requests sent to a worker that had to load the adapter first")
        line("loraserve_controller_remote_access_total", [], Double(m.remoteAccess))
        family("loraserve_controller_placement_actions_total", "counter", "Placement actions executed, by kind")
        for (k, n) in m.placementActions.sorted(by: { $0.key < $1.key }) { line("loraserve_controller_placement_actions_total", [("kind", k)], Double(n)) }
        family("loraserve_controller_placement_plans_total", "counter", "Placement plans computed")
        line("loraserve_controller_placement_plans_total", [], Double(m.plans))
        family("loraserve_controller_placement_solve_seconds", "gauge", "Solve time of the last placement plan")
        line("loraserve_controller_placement_solve_seconds", [], m.lastSolveSeconds)
        family("loraserve_controller_worker_transitions_total", "counter", "Workers marked up or down")
        line("loraserve_controller_worker_transitions_total", [], Double(m.workerTransitions))
        histogram(&out, "loraserve_controller_first_byte_seconds", "Arrival at the controller to the first byte from the worker", m.firstByte)
        histogram(&out, "loraserve_controller_overhead_seconds", "Time in the controller before forwarding (parse + route)", m.overhead)
        return out
    }

    static func histogram(_ out: inout String, _ name: String, _ help: String, _ h: LatencyHistogram) {
        out += "# HELP \(name) \(help)\n# TYPE \(name) histogram\n"
        for b in h.cumulative {
            out += "\(name)_bucket{le=\"\(b.le.isInfinite ? "+Inf" : format(b.le))\"} \(Int(b.count))\n"
        }
        out += "\(name)_sum \(format(h.sum))\n\(name)_count \(h.count)\n"
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }

    static func format(_ v: Double) -> String {
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int(v)) }
        return String(v)
    }
}
