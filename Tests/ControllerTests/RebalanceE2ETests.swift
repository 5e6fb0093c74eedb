import Controller
import Foundation
import Hummingbird
import NIOCore
import Placement
import ServeCore
import Synchronization
import Testing

/// End to end on loopback, in virtual time: the real controller (routing, placement loop,
/// make-before-break executor, on-demand loads) talks HTTP to three fake workers on 127.0.0.1.
/// Real-model workers would make TTFT depend on this machine's load, so each fake worker is a
/// single FIFO server whose service time is deterministic — tokens × the controller's own
/// exact-rank cost ÷ capacity — and time is a virtual clock the test advances in 50 ms steps
/// (the controller reads it too), so TTFT figures are exact and no assertion reads a wall clock.
@Suite(.serialized) struct RebalanceE2ETests {
    static let adapters: [(name: String, rank: Int)] = [("a-r8", 8), ("b-r8", 8), ("c-r16", 16), ("d-r32", 32), ("e-r64", 64), ("f-r128", 128)]
    static let slo = 1.0
    static let shiftAt = 20.0
    static let end = 50.0

    /// Phase 1: 8 req/s spread evenly. Phase 2: 14 req/s, 60 % of it for `f-r128` — more than one
    /// worker can serve — so its replica saturates until the controller adds capacity for it.
    static func arrivals() -> [(t: Double, adapter: Int)] {
        var rng = SplitMix64(seed: 7)
        var out: [(Double, Int)] = []
        var t = 0.0
        while t < end {
            let rate = t < shiftAt ? 8.0 : 14.0
            t += -log(max(Double(rng.next() % 1_000_000) / 1_000_000, 1e-9)) / rate
            guard t < end else { break }
            let u = Double(rng.next() % 1000) / 1000
            let adapter = t < shiftAt ? Int(u * 6) : (u < 0.6 ? 5 : Int((u - 0.6) / 0.4 * 5))
            out.append((t, min(adapter, 5)))
        }
        return out
    }

    /// With remote access off (the `ours-no-remote` ablation) only the placement loop can add
    /// capacity for the hot adapter; with it on, overflow is served at once by on-demand loads.
    @Test(arguments: [false, true])
    func requestsFollowPlacementAndTheControllerRebalancesAfterAShift(remoteAccess: Bool) async throws {
        let clock = VirtualClock()
        var config = ControllerConfig()
        config.remoteAccess = remoteAccess
        config.baseModel = "base"
        config.rebalanceCooldownSeconds = 5
        config.rateWindowSeconds = 2
        config.healthTimeoutSeconds = 10  // a loaded CI machine can be slow to answer the first probe
        let ranks = Dictionary(uniqueKeysWithValues: Self.adapters.map { ($0.name, $0.rank) })
        let fakes = (1...3).map { VirtualWorker(name: "w\($0)", clock: clock, ranks: ranks, costModel: config.costModel,
                                                capacity: config.workerCapacityTokensPerSecond) }
        // Servers stop by graceful shutdown, which waits for open requests: the clock is run out
        // first (also when the body throws) so no request is left waiting on virtual time.
        try await VirtualWorker.serving(fakes) {
            defer { clock.advance(to: 1e9) }
            config.workers = fakes.map(\.url)
            let transport = HTTPWorkerTransport()
            let controller = Controller(config: config, transport: transport, clock: { clock.now })
            await controller.checkHealth()
            #expect(await controller.state.upWorkerURLs.count == 3)
            for a in Self.adapters {
                try await controller.register(RegisterLoRARequest(name: a.name, path: "/adapters/\(a.name)", rank: a.rank))
            }
            let initial = await controller.placementStep(force: true)
            #expect(initial.count >= Self.adapters.count && initial.allSatisfy { $0.outcome == "ok" }, "\(initial)")
            await controller.scrapeAll()

            let tracker = Tracker()
            var pending: [Task<Void, Never>] = []
            let arrivals = Self.arrivals()
            var next = 0
            var step = 0
            while Double(step) * 0.05 < Self.end + 5 {
                step += 1
                let now = Double(step) * 0.05
                clock.advance(to: now)
                // Requests finishing now complete (and leave the controller's in-flight count) first.
                try await tracker.settle(fakes: fakes, clock: clock)
                if step % 20 == 0 {
                    await controller.scrapeAll()
                    await controller.placementStep()
                }
                while next < arrivals.count, arrivals[next].t <= now {
                    let (t, a) = arrivals[next]
                    let id = next
                    next += 1
                    let name = Self.adapters[a].name
                    let replicas = await controller.state.liveReplicas(of: name)
                    tracker.launch(id)
                    pending.append(Task {
                        let body = Array(#"{"model":"\#(name)","prompt":"Hello","max_tokens":39,"request_id":\#(id)}"#.utf8)
                        let result = await controller.proxy(path: "/v1/completions", body: body)
                        var outcome = Outcome(id: id, arrival: t, adapter: name, replicasAtSend: replicas, worker: nil, ttft: nil)
                        if case let .complete(200, _, bytes, worker) = result,
                           let json = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] {
                            outcome.worker = worker
                            outcome.ttft = json["ttft"] as? Double
                        }
                        tracker.finish(outcome)
                    })
                }
                // Let every request reach its worker (or finish) before time moves on.
                try await tracker.settle(fakes: fakes, clock: clock)
            }
            clock.advance(to: 1e9)
            for p in pending { await p.value }
            await transport.shutdown()

            let outcomes = tracker.outcomes.sorted { $0.id < $1.id }
            #expect(outcomes.count == arrivals.count)
            #expect(outcomes.allSatisfy { $0.ttft != nil }, "every request completes")
            // Before the shift (light load) requests land on the adapter's placed replicas.
            let early = outcomes.filter { $0.arrival < Self.shiftAt }
            let onReplica = early.filter { o in o.worker.map { o.replicasAtSend.contains($0) } ?? false }.count
            #expect(Double(onReplica) >= 0.95 * Double(early.count), "\(onReplica)/\(early.count) on placed replicas")
            // After the shift the controller re-plans: logged actions with reasons, for the hot adapter.
            let actions = await controller.state.actions.filter { $0.at > Self.shiftAt }
            #expect(actions.allSatisfy { !$0.reason.isEmpty }, "\(actions)")
            if !remoteAccess {
                #expect(actions.contains { $0.adapter == "f-r128" && $0.kind != "unload" && $0.outcome.hasPrefix("ok") }, "\(actions)")
            }
            #expect(await controller.state.liveReplicas(of: "f-r128").count >= 2)
            // The later window's p99 TTFT is back under the SLO.
            let late = outcomes.filter { $0.arrival >= Self.end - 15 }.compactMap(\.ttft).sorted()
            let p99 = late.isEmpty ? .infinity : late[min(late.count - 1, Int((0.99 * Double(late.count)).rounded(.up)) - 1)]
            let firstWindow = outcomes.filter { $0.arrival >= Self.shiftAt && $0.arrival < Self.shiftAt + 10 }.compactMap(\.ttft).max() ?? 0
            print("rebalance e2e (remote access \(remoteAccess ? "on" : "off")): \(outcomes.count) requests, \(onReplica)/\(early.count) early on placed replicas, "
                  + "\(actions.count) actions after the shift (\(actions.map { "\($0.kind) \($0.adapter)@\($0.worker): \($0.reason)" }.prefix(4))), "
                  + "max TTFT just after the shift \(String(format: "%.2f", firstWindow)) s, late p99 \(String(format: "%.3f", p99)) s")
            #expect(p99 <= Self.slo, "late-window p99 TTFT \(p99) s")
            if !remoteAccess {
                // TTFT rose while the hot adapter had one replica, and came back down after the move.
                #expect(firstWindow > p99)
            }
        }
    }
}

/// What the test saw for one request.
struct Outcome: Sendable {
    var id: Int
    var arrival: Double
    var adapter: String
    var replicasAtSend: [String]
    var worker: String?
    var ttft: Double?
}

/// Launched / finished requests, and the wait that keeps virtual time from running ahead of them.
final class Tracker: Sendable {
    private let state = Mutex<(launched: Set<Int>, done: [Int: Outcome])>(([], [:]))
    func launch(_ id: Int) { state.withLock { _ = $0.launched.insert(id) } }
    func finish(_ o: Outcome) { state.withLock { $0.done[o.id] = o } }
    var outcomes: [Outcome] { state.withLock { Array($0.done.values) } }

    /// Waits until each launched request has finished or sits in a worker's queue with a finish
    /// time still in the (virtual) future.
    func settle(fakes: [VirtualWorker], clock: VirtualClock) async throws {
        for _ in 0..<5000 {
            let now = clock.now
            let queued = fakes.reduce(into: [Int: Double]()) { $0.merge($1.queuedFinishTimes) { a, _ in a } }
            let ready = state.withLock { s in
                s.launched.allSatisfy { id in s.done[id] != nil || (queued[id].map { $0 > now } ?? false) }
            }
            if ready { return }
            try await Task.sleep(for: .milliseconds(1))
        }
        Issue.record("requests did not settle")
    }
}

/// Virtual seconds, with waiters resumed when time passes their deadline.
final class VirtualClock: Sendable {
    private let state = Mutex<(now: Double, waiters: [(Double, CheckedContinuation<Void, Never>)])>((0, []))
    var now: Double { state.withLock { $0.now } }

    func advance(to t: Double) {
        let ready = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.now = t
            let due = s.waiters.filter { $0.0 <= t }.map(\.1)
            s.waiters.removeAll { $0.0 <= t }
            return due
        }
        for c in ready { c.resume() }
    }

    func wait(until t: Double) async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let past = state.withLock { s -> Bool in
                if s.now >= t { return true }
                s.waiters.append((t, c))
                return false
            }
            if past { c.resume() }
        }
    }
}
