import AsyncHTTPClient
import Foundation
import NIOCore

/// What one replayed request measured on the client side.
struct BenchRequestOutcome: Sendable {
    let arrivalSeconds: Double
    let adapter: String
    let rank: Int
    /// Send → first streamed token chunk, seconds (nil when it failed before any token).
    let ttftSeconds: Double?
    /// Seconds since the replay started when the stream ended.
    let finishedAt: Double
    let outputTokens: Int
    let ok: Bool
    let error: String?
}

/// Open-loop replay: each request is sent at its arrival time (never waiting for earlier ones),
/// streams SSE, and is timed from send to the first chunk carrying text. A progress line goes to
/// stderr every 2 s.
struct BenchClusterReplay: Sendable {
    let client: HTTPClient
    let url: String
    let label: String
    var requestTimeoutSeconds = 120.0
    /// Requests still unanswered this long after the last arrival are cut and count as failed, so
    /// an overloaded policy cannot stretch the run indefinitely.
    var drainSeconds = 40.0

    actor Tally {
        var sent = 0, done = 0, failed = 0
        var ttfts: [Double] = []
        func didSend() { sent += 1 }
        func record(_ o: BenchRequestOutcome) {
            done += 1
            if !o.ok { failed += 1 }
            if let t = o.ttftSeconds { ttfts.append(t) }
        }
        func line(total: Int, elapsed: Double) -> String {
            let s = ttfts.sorted()
            let p50 = s.isEmpty ? 0 : s[s.count / 2]
            return String(format: ": %5.1f s  sent %d/%d  done %d  failed %d  ttft p50 %.3f s", elapsed, sent, total, done, failed, p50)
        }
    }

    func run(_ requests: [BenchClusterWorkload.Request]) async -> [BenchRequestOutcome] {
        let tally = Tally()
        let start = ContinuousClock.now
        let total = requests.count
        let label = self.label
        let reporter = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(2))
                if Task.isCancelled { break }
                let line = await tally.line(total: total, elapsed: (ContinuousClock.now - start).benchSeconds)
                Console.progress("  " + label + line)
            }
        }
        let deadline = start + .milliseconds(Int64(((requests.last?.arrivalSeconds ?? 0) + drainSeconds) * 1000))
        let outcomes = await withTaskGroup(of: BenchRequestOutcome.self) { group in
            for r in requests {
                try? await Task.sleep(until: start + .milliseconds(Int64(r.arrivalSeconds * 1000)), clock: .continuous)
                if Task.isCancelled { break }
                await tally.didSend()
                group.addTask {
                    let o = await self.send(r, start: start, deadline: deadline)
                    await tally.record(o)
                    return o
                }
            }
            var all: [BenchRequestOutcome] = []
            for await o in group { all.append(o) }
            return all
        }
        reporter.cancel()
        return outcomes.sorted { $0.arrivalSeconds < $1.arrivalSeconds }
    }

    /// `attempt`, cut at `deadline` (the request is cancelled and counts as failed).
    func send(_ r: BenchClusterWorkload.Request, start: ContinuousClock.Instant, deadline: ContinuousClock.Instant) async -> BenchRequestOutcome {
        await withTaskGroup(of: BenchRequestOutcome?.self) { group in
            group.addTask { await self.attempt(r, start: start) }
            group.addTask {
                try? await Task.sleep(until: deadline, clock: .continuous)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? BenchRequestOutcome(arrivalSeconds: r.arrivalSeconds, adapter: r.adapter, rank: r.rank, ttftSeconds: nil,
                                                finishedAt: (ContinuousClock.now - start).benchSeconds, outputTokens: 0, ok: false,
                                                error: "cut: unanswered \(Int(drainSeconds)) s after the last arrival")
        }
    }

    func attempt(_ r: BenchClusterWorkload.Request, start: ContinuousClock.Instant) async -> BenchRequestOutcome {
        let sent = ContinuousClock.now
        func outcome(ttft: Double?, tokens: Int, ok: Bool, error: String?) -> BenchRequestOutcome {
            BenchRequestOutcome(arrivalSeconds: r.arrivalSeconds, adapter: r.adapter, rank: r.rank, ttftSeconds: ttft,
                                finishedAt: (ContinuousClock.now - start).benchSeconds, outputTokens: tokens, ok: ok, error: error)
        }
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: r.body))
        do {
            let response = try await client.execute(request, timeout: .seconds(Int64(requestTimeoutSeconds)))
            guard response.status == .ok else {
                let body = (try? await response.body.collect(upTo: 1 << 20)).map { String(buffer: $0) } ?? ""
                return outcome(ttft: nil, tokens: 0, ok: false, error: "HTTP \(response.status.code): \(body.prefix(200))")
            }
            var ttft: Double?
            var text = ""
            for try await chunk in response.body {
                let s = String(buffer: chunk)
                if ttft == nil, s.contains("\"text\"") || s.contains("\"content\"") { ttft = (ContinuousClock.now - sent).benchSeconds }
                text += s
            }
            if text.contains("\"error\"") { return outcome(ttft: ttft, tokens: 0, ok: false, error: "stream ended with an error event") }
            guard text.contains("[DONE]") else { return outcome(ttft: ttft, tokens: 0, ok: false, error: "stream ended without [DONE]") }
            return outcome(ttft: ttft, tokens: Self.completionTokens(text) ?? r.maxTokens, ok: ttft != nil, error: nil)
        } catch {
            return outcome(ttft: nil, tokens: 0, ok: false, error: String(describing: error))
        }
    }

    /// `usage.completion_tokens` of the stream's usage chunk.
    static func completionTokens(_ text: String) -> Int? {
        guard let range = text.range(of: "\"completion_tokens\":", options: .backwards) else { return nil }
        let digits = text[range.upperBound...].drop { $0 == " " }.prefix { $0.isNumber }
        return Int(digits)
    }
}

extension Duration {
    /// Seconds as a Double (the bench's clock arithmetic).
    var benchSeconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
