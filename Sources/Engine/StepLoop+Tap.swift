import BatchScheduler
import Synchronization

/// A diagnostic hook on one engine's step loop (the engine-vs-simulator drift test): records the
/// digest of every step the loop's `BatchScheduler` plans, and can hold planning until a known
/// set of requests has arrived and every adapter they need is prepared, so the scheduler sees
/// the same inputs (all requests queued, all adapters ready) as a simulated worker at time 0.
///
/// Lives in the engine's `tap` slot; the loop reads the slot once per iteration.
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
        engine.tap.withLock { $0 = tap }
        return tap
    }

    /// Holds planning again (e.g. between waves) until `n` requests are live and their adapters prepared.
    package func hold(untilRequests n: Int) {
        state.withLock { $0.holdUntilRequests = n }
    }

    /// Stops recording for `engine`.
    package static func detach(from engine: BatchEngine) {
        engine.tap.withLock { $0 = nil }
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
