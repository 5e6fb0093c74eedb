import Foundation
import Placement
import ServeCore

extension Controller {
    /// One turn of the placement loop: snapshot → `RankAwarePlacement.plan` (when the rebalancer
    /// says so, or `force`) → execute. Returns the actions as executed. `at` overrides the clock
    /// for the rate estimator and rebalancer (tests replay time).
    @discardableResult
    public func placementStep(force: Bool = false, at time: Double? = nil) async -> [ActionRecord] {
        let t = time ?? now()
        let snapshot = await state.snapshot(now: t)
        guard snapshot.workers.contains(where: \.isUp), !snapshot.adapters.isEmpty,
              let trigger = await state.shouldPlan(snapshot, now: t, force: force) else { return [] }
        var policy = RankAwarePlacement(config: config.placement)
        let clock = ContinuousClock()
        var plan = PlacementPlan(target: snapshot.placement, actions: [])
        let solve = clock.measure { plan = policy.plan(snapshot, costModel: config.costModel) }
        let solveSeconds = Double(solve.components.attoseconds) * 1e-18 + Double(solve.components.seconds)
        await state.recordPlanned(solveSeconds: solveSeconds, trigger: trigger, actions: plan.actions.count)
        guard !plan.actions.isEmpty else { return [] }
        Log.info("placement (\(trigger)): \(plan.actions.count) actions, solved in \(String(format: "%.2f", solveSeconds * 1000)) ms")
        return await execute(plan.actions)
    }

    /// Executes actions make-before-break: every load first (the new replica joins routing only
    /// once loaded), then each unload leaves routing, drains, and is unloaded — skipped when it
    /// would remove the adapter's last live replica or when a load for the same adapter failed.
    public func execute(_ actions: [ControlAction]) async -> [ActionRecord] {
        var done: [ActionRecord] = []
        var failedLoads: Set<AdapterID> = []
        for action in actions where !action.isUnload {
            let worker = action.worker.rawValue, name = action.adapter.rawValue
            guard let adapter = await state.adapter(name) else { continue }
            let t0 = now()
            do {
                // replicate / fetch-from-peer copy from the peer's memory (POST /v1/adapters/fetch);
                // a failed copy, or a worker without peer transfer (vLLM), loads from the source path.
                let outcome: PeerLoadOutcome
                switch action.kind {
                case let .replicate(peer), let .fetchFromPeer(peer):
                    outcome = try await loadReplica(adapter, on: worker, peer: peer.rawValue)
                case .load, .unload:
                    outcome = try await loadReplica(adapter, on: worker, peer: nil)
                }
                await state.addReplica(name, on: worker)
                done.append(await record(action, outcome.actionOutcome, since: t0))
            } catch {
                failedLoads.insert(action.adapter)
                done.append(await record(action, "failed: \(error)", since: t0))
            }
        }
        for action in actions where action.isUnload {
            let worker = action.worker.rawValue, name = action.adapter.rawValue
            let t0 = now()
            if failedLoads.contains(action.adapter) {
                done.append(await record(action, "skipped: its replacement failed to load", since: t0))
                continue
            }
            let others = await state.liveReplicas(of: name).filter { $0 != worker }
            let exists = await state.adapter(name) != nil
            if exists, others.isEmpty {
                done.append(await record(action, "skipped: last replica", since: t0))
                continue
            }
            await state.removeReplica(name, from: worker)
            // Drain: requests already routed there finish before the weights go.
            while await state.inFlight(adapter: name, on: worker) > 0, now() - t0 < config.drainTimeoutSeconds {
                try? await Task.sleep(for: .milliseconds(50))
            }
            do {
                try await transport.unloadAdapter(worker, name: name)
                await state.forgetResident(name, on: worker)
                done.append(await record(action, "ok", since: t0))
            } catch {
                // A worker that is down lost the adapter anyway.
                done.append(await record(action, "failed: \(error)", since: t0))
            }
        }
        return done
    }

    func record(_ action: ControlAction, _ outcome: String, since t0: Double) async -> ActionRecord {
        let t = now()
        await state.log(action, outcome: outcome, seconds: t - t0, now: t)
        Log.info("\(action) -> \(outcome)")
        return await state.actions.last ?? ActionRecord(sequence: 0, at: t, kind: "", adapter: "", worker: "", reason: "", outcome: outcome, seconds: 0)
    }
}
