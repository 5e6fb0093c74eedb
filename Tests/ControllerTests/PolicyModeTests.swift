import Controller
import Foundation
import Placement
import Testing

/// `--policy`: ours vs the vLLM-style and llm-d-style baselines, on the in-memory fleet.
@Suite struct PolicyModeTests {
    @Test(arguments: [("ours", PolicyMode.ours), ("round-robin", .roundRobin), ("vllm", .roundRobin), ("affinity", .affinity),
                      ("llm-d", .affinity), (" Round-Robin ", .roundRobin)])
    func parsesNamesAndSimulatorAliases(_ text: String, _ expected: PolicyMode) throws {
        #expect(try PolicyMode.parse(text) == expected)
    }

    @Test func rejectsUnknownPolicies() {
        #expect(throws: PolicyMode.ParseError.self) { try PolicyMode.parse("random") }
    }

    @Test func roundRobinCyclesOverAllWorkersAndLoadsOnDemand() async throws {
        let fleet = await Fleet { $0.policy = .roundRobin }
        try await fleet.register("a", rank: 8)
        try await fleet.place("a", on: Fleet.urls[0])
        var seen: [String] = []
        var onDemand = 0
        for _ in 0..<6 {
            guard case let .worker(r) = await fleet.controller.state.route(model: "a", tokens: 10, now: 0) else {
                Issue.record("not routed")
                return
            }
            seen.append(r.worker)
            if r.loadedOnDemand { onDemand += 1 }
        }
        #expect(seen == Fleet.urls + Fleet.urls)
        // Only the worker holding `a` serves it without a load first.
        #expect(onDemand == 4)
    }

    @Test func baselinesNeverPlanOrMoveAdapters() async throws {
        for policy in [PolicyMode.roundRobin, .affinity] {
            let fleet = await Fleet { $0.policy = policy }
            try await fleet.register("a", rank: 8)
            try await fleet.register("b", rank: 128)
            #expect(await fleet.controller.placementStep(force: true).isEmpty)
            #expect(fleet.transport.events.isEmpty, "\(policy): \(fleet.transport.events)")
            #expect(await fleet.controller.state.metrics.plans == 0)
        }
        // Ours places both adapters on the first plan.
        let ours = await Fleet()
        try await ours.register("a", rank: 8)
        try await ours.register("b", rank: 128)
        #expect(await ours.controller.placementStep(force: true).count >= 2)
    }

    @Test func affinityPrefersAWorkerThatHasTheAdapterLoaded() async throws {
        let fleet = await Fleet { $0.policy = .affinity }
        try await fleet.register("a", rank: 16)
        try await fleet.place("a", on: Fleet.urls[2])
        for _ in 0..<3 {
            guard case let .worker(r) = await fleet.controller.state.route(model: "a", tokens: 10, now: 0) else {
                Issue.record("not routed")
                return
            }
            #expect(r.worker == Fleet.urls[2] && !r.loadedOnDemand)
        }
    }

    @Test func metricsNameThePolicyAndTheConfigFileSetsIt() async throws {
        let fleet = await Fleet { $0.policy = .affinity }
        #expect(await fleet.controller.state.renderMetrics().contains(#"loraserve_controller_policy_info{policy="affinity"} 1"#))
        let path = NSTemporaryDirectory() + "policy-\(UUID().uuidString).json"
        try Data(#"{"policy": "round-robin"}"#.utf8).write(to: URL(fileURLWithPath: path))
        var config = ControllerConfig()
        try ControllerFileConfig.load(path: path).apply(to: &config)
        #expect(config.policy == .roundRobin)
        try Data(#"{"policy": "fastest"}"#.utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: ControllerFileConfig.LoadError.self) { try ControllerFileConfig.load(path: path) }
        try? FileManager.default.removeItem(atPath: path)
    }
}
