/// Tuning of `RankAwarePlacement` (shared by the controller and the simulator).
public struct PlacementConfig: Hashable, Sendable, Codable {
    /// Predicted utilisation a worker should stay under (headroom absorbs bursts), 0...1.
    public var targetUtilisation: Double = 0.8
    /// Add a replica when an adapter's load per replica exceeds this fraction of a worker's capacity.
    public var replicateAboveFraction: Double = 0.5
    /// Drop a replica only when the load per remaining replica would stay under this fraction (hysteresis).
    public var dereplicateBelowFraction: Double = 0.2
    /// Upper bound on discretionary actions (moves, extra replicas, dereplications) per plan.
    /// Placing an adapter that has no replica at all is never limited.
    public var maxDiscretionaryActions: Int = 64
    /// A move must save at least `movePaybackFactor` × its load time over this horizon, seconds.
    public var paybackHorizonSeconds: Double = 120
    public var movePaybackFactor: Double = 2
    /// A relief move must lower the pair's peak utilisation by at least this much (hysteresis).
    public var minUtilisationGain: Double = 0.05
    /// Utilisation penalty per log2-rank distance from a worker's mean rank: mild grouping of
    /// similar ranks even on exact engines (memory fragmentation, per-adapter step cost).
    public var rankAffinityWeight: Double = 0.02

    public init() {}

    public enum ValidationError: Error, Sendable, Equatable, CustomStringConvertible {
        case outOfRange(field: String, value: Double)
        public var description: String {
            switch self { case let .outOfRange(f, v): "placement config: \(f) = \(v) is out of range" }
        }
    }

    public func validate() throws(ValidationError) {
        guard targetUtilisation > 0, targetUtilisation <= 1 else { throw .outOfRange(field: "targetUtilisation", value: targetUtilisation) }
        guard replicateAboveFraction > 0 else { throw .outOfRange(field: "replicateAboveFraction", value: replicateAboveFraction) }
        guard dereplicateBelowFraction >= 0, dereplicateBelowFraction < replicateAboveFraction else {
            throw .outOfRange(field: "dereplicateBelowFraction", value: dereplicateBelowFraction)
        }
        guard maxDiscretionaryActions >= 0 else { throw .outOfRange(field: "maxDiscretionaryActions", value: Double(maxDiscretionaryActions)) }
        guard paybackHorizonSeconds >= 0, movePaybackFactor >= 0, minUtilisationGain >= 0, rankAffinityWeight >= 0 else {
            throw .outOfRange(field: "payback/gain/affinity", value: paybackHorizonSeconds)
        }
    }
}
