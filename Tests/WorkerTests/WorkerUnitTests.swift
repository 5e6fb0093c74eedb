import Engine
import Foundation
import Testing
import Worker

@Suite("WorkerConfig")
struct WorkerConfigTests {
    @Test("defaults validate")
    func defaults() throws {
        try WorkerConfig().validate()
    }

    @Test("impossible values are rejected with the field named",
          arguments: ["port", "adminToken", "adapterRoot", "maxQueuedRequests", "maxRequestBodyBytes", "apiKeys"])
    func rejects(field: String) {
        var config = WorkerConfig()
        switch field {
        case "port": config.port = 70000
        case "adminToken": config.adminToken = ""
        case "adapterRoot": config.adapterRoot = "relative/dir"
        case "maxQueuedRequests": config.maxQueuedRequests = 0
        case "maxRequestBodyBytes": config.maxRequestBodyBytes = 10
        default: config.apiKeys = [""]
        }
        #expect(throws: WorkerConfig.ValidationError.self) { try config.validate() }
        do {
            try config.validate()
        } catch {
            #expect(error.description.contains(field))
        }
    }
}

@Suite("PrometheusExposition")
struct PrometheusExpositionTests {
    @Test("numbers are written as Prometheus reads them", arguments: [
        (0.0, "0"), (3.0, "3"), (0.25, "0.25"), (Double.infinity, "+Inf"), (-Double.infinity, "-Inf"), (Double.nan, "NaN"), (1e20, "1e+20"),
    ])
    func format(value: Double, text: String) {
        #expect(PrometheusExposition.format(value) == text)
    }

    @Test("label values escape backslash, quote and newline only")
    func escape() {
        #expect(PrometheusExposition.escapeLabel("a\\b\"c\nd é") == "a\\\\b\\\"c\\nd é")
    }

    @Test("a family is declared once and a histogram writes buckets, +Inf, sum and count")
    func histogram() throws {
        var out = PrometheusExposition()
        var summary = LatencySummary(bounds: [0.1, 1])
        summary.observe(0.05)
        summary.observe(0.5)
        summary.observe(5)
        out.family("h_seconds", .histogram, help: "help\nwith newline")
        out.family("h_seconds", .histogram, help: "again")
        out.histogram("h_seconds", [("k", "v")], summary)
        #expect(out.text == """
            # HELP h_seconds help\\nwith newline
            # TYPE h_seconds histogram
            h_seconds_bucket{k="v",le="0.1"} 1
            h_seconds_bucket{k="v",le="1"} 2
            h_seconds_bucket{k="v",le="+Inf"} 3
            h_seconds_sum{k="v"} 5.55
            h_seconds_count{k="v"} 3

            """)
        _ = try ExpositionParser(out.text)
    }
}

@Suite("ConnectionWatch")
struct ConnectionWatchTests {
    final class Flag: Sendable {
        let count = Counter()
    }

    @Test("subscribers run once on close; unsubscribed ones never; late ones at once")
    func lifecycle() {
        let watch = ConnectionWatch()
        let a = Flag(), b = Flag(), late = Flag()
        _ = watch.subscribe { _ = a.count.increment() }
        let token = watch.subscribe { _ = b.count.increment() }
        #expect(token != nil)
        if let token { watch.unsubscribe(token) }
        watch.close()
        watch.close()
        #expect(watch.subscribe { _ = late.count.increment() } == nil)
        #expect(a.count.increment() == 2, "ran exactly once")
        #expect(b.count.increment() == 1, "never ran")
        #expect(late.count.increment() == 2, "ran at once")
    }
}

@Suite("AdmissionGate")
struct AdmissionGateTests {
    @Test("never admits beyond capacity and gives slots back")
    func capacity() {
        let gate = AdmissionGate(capacity: 5)
        #expect(gate.tryAcquire(3))
        #expect(!gate.tryAcquire(3))
        #expect(gate.tryAcquire(2))
        #expect(gate.inFlight == 5)
        gate.release(5)
        #expect(gate.inFlight == 0)
        #expect(!gate.tryAcquire(6))
    }
}

@Suite("AdapterPathGuard")
struct AdapterPathGuardTests {
    @Test("lexical normalisation removes . and .. without leaving the root", arguments: [
        ("/a/./b/../c", "/a/c"), ("/../../x", "/x"), ("/a//b/", "/a/b"), ("/", "/"),
    ])
    func normalise(path: String, expected: String) {
        #expect(AdapterPathGuard.lexicallyNormalised(path) == expected)
    }

    @Test("constant-time comparison agrees with ==", arguments: [("abc", "abc"), ("abc", "abd"), ("abc", "ab"), ("", "")])
    func compare(a: String, b: String) {
        #expect(AccessControl.constantTimeEquals(a, b) == (a == b))
    }
}
