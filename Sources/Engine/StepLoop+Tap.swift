import BatchScheduler
import Synchronization

/// A diagnostic hook on one engine's step loop (the engine-vs-simulator drift test): records the
/// digest of every step the loop's `BatchScheduler` plans, and can hold planning until a known
/// set of requests has arrived and every adapter they need is prepared, so the scheduler sees
/// the same inputs (all requests queued, all adapters ready) as a simulated worker at time 0.
///
/// Costs nothing when no tap is attached (one relaxed atomic load per loop iteration).
package final class SchedulerTap: Sendable {
    struct State {
        var digests: [StepDigest] = []
        /// Wall seconds each step took to execute (forward, sampling, streaming, scheduler update).
        var stepSeconds: [Double] = []
        /// Planning waits until this many requests are live (nil: never hold).
        var holdUntilRequests: Int?
    }

    let state = Mutex(State())

    /// Attaches a tap to `engine`'s step loop. With `holdUntilRequests`, the loop plans nothing
    /// until that many requests are queued and all their adapters are prepared.
    package static func attach(to engine: BatchEngine, holdUntilRequests: Int? = nil) -> SchedulerTap {
        let tap = SchedulerTap()
        tap.state.withLock { $0.holdUntilRequests = holdUntilRequests }
        SchedulerTaps.registry.withLock { $0[ObjectIdentifier(engine)] = tap }
        SchedulerTaps.count.add(1, ordering: .relaxed)
        return tap
    }

    /// Holds planning again (e.g. between waves) until `n` requests are live and their adapters prepared.
    package func hold(untilRequests n: Int) {
        state.withLock { $0.holdUntilRequests = n }
    }

    /// Stops recording for `engine`.
    package static func detach(from engine: BatchEngine) {
        let removed = SchedulerTaps.registry.withLock { $0.removeValue(forKey: ObjectIdentifier(engine)) }
        if removed != nil { SchedulerTaps.count.subtract(1, ordering: .relaxed) }
    }

    /// The planned steps so far, in order.
    package var digests: [StepDigest] { state.withLock { $0.digests } }

    /// Wall seconds of each executed step, in the same order as `digests` (for calibration checks).
    package var stepSeconds: [Double] { state.withLock { $0.stepSeconds } }

    /// Whether planning is still held.
    package var holding: Bool { state.withLock { $0.holdUntilRequests != nil } }

    /// Called before the step runs: its requests' streams may end inside `execute`, and a
    /// reader woken by that must already see the step.
    func record(_ step: Step) {
        let digest = step.digest
        state.withLock { $0.digests.append(digest) }
    }

    /// Called after the step ran (so the last step's time may be missing when read right after
    /// the last stream ended).
    func recordTime(_ seconds: Double) {
        state.withLock { $0.stepSeconds.append(seconds) }
    }

    /// Whether the loop may plan now; releases the hold (for good) once `live` requests are
    /// queued and `adaptersReady`.
    func mayPlan(live: Int, adaptersReady: () -> Bool) -> Bool {
        state.withLock { s in
            guard let n = s.holdUntilRequests else { return true }
            guard live >= n, adaptersReady() else { return false }
            s.holdUntilRequests = nil
            return true
        }
    }
}

enum SchedulerTaps {
    static let registry = Mutex<[ObjectIdentifier: SchedulerTap]>([:])
    static let count = Atomic<Int>(0)

    static func tap(for engine: BatchEngine) -> SchedulerTap? {
        guard count.load(ordering: .relaxed) > 0 else { return nil }
        return registry.withLock { $0[ObjectIdentifier(engine)] }
    }
}
