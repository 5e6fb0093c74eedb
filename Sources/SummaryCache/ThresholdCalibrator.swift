/// One labelled (cached question, new question) pair for calibration.
public struct LabelledPair: Sendable, Codable, Equatable {
    /// Cosine similarity of the two questions' embeddings.
    public var similarity: Float
    /// Whether the guards let the pair through.
    public var guardsPassed: Bool
    /// Ground truth: reusing the cached summary gives the right answer (a paraphrase), or not
    /// (a near-miss / a different question).
    public var isSameAnswer: Bool

    public init(similarity: Float, guardsPassed: Bool, isSameAnswer: Bool) {
        self.similarity = similarity
        self.guardsPassed = guardsPassed
        self.isSameAnswer = isSameAnswer
    }
}

/// What the cache would do on the labelled pairs at one threshold.
public struct ThresholdPoint: Sendable, Codable, Equatable {
    public var threshold: Float
    /// Pairs that would hit (similarity ≥ threshold and, if used, guards passed).
    public var hits: Int
    public var trueHits: Int
    public var falseHits: Int
    /// Pairs labelled same-answer / different-answer.
    public var positives: Int
    public var negatives: Int

    /// trueHits / hits (1 when nothing hits: no wrong answer was served).
    public var precision: Double { hits == 0 ? 1 : Double(trueHits) / Double(hits) }
    /// trueHits / positives: the share of reusable pairs actually reused.
    public var recall: Double { positives == 0 ? 0 : Double(trueHits) / Double(positives) }
    /// falseHits / negatives: the share of different-answer questions (near-misses) that would be
    /// served a wrong summary. This is the rate the issue bounds (≤ 2% on near-misses).
    public var falseHitRate: Double { negatives == 0 ? 0 : Double(falseHits) / Double(negatives) }
    /// 95% Wilson interval of `falseHitRate`.
    public var falseHitRateInterval: WilsonInterval { WilsonInterval(successes: falseHits, trials: negatives) }
    /// falseHits / hits = 1 − precision: the share of hits that are wrong.
    public var falseDiscoveryRate: Double { hits == 0 ? 0 : Double(falseHits) / Double(hits) }
}

/// A sweep plus the recommended threshold.
public struct CalibrationReport: Sendable, Codable, Equatable {
    public var points: [ThresholdPoint]
    /// The lowest threshold meeting the target (the one with the most reuse). Always exists: a
    /// threshold above every observed similarity hits nothing and has no false hits.
    public var recommended: ThresholdPoint
    public var target: Double
    public var objective: ThresholdCalibrator.Objective
    public var usedGuards: Bool
}

/// Chooses the similarity threshold from labelled pairs (pure; the CLI reads the file).
public enum ThresholdCalibrator {
    /// Which error rate the target bounds.
    public enum Objective: String, Sendable, Codable, CaseIterable {
        /// False hits per different-answer pair (default).
        case falseHitRate
        /// False hits per hit.
        case falseDiscoveryRate
    }

    /// Evaluates every threshold in `thresholds` (default: each distinct observed similarity, plus
    /// one just above the maximum). Points are in increasing threshold order.
    public static func sweep(_ pairs: [LabelledPair], thresholds: [Float]? = nil, useGuards: Bool = true) throws(CacheError) -> [ThresholdPoint] {
        guard !pairs.isEmpty else { throw .noCalibrationData }
        for p in pairs where !p.similarity.isFinite {
            throw .invalidConfig(parameter: "similarity", value: "\(p.similarity)", allowed: "finite")
        }
        let positives = pairs.filter(\.isSameAnswer).count
        let negatives = pairs.count - positives
        var grid = thresholds ?? Array(Set(pairs.map(\.similarity)))
        if thresholds == nil, let top = pairs.map(\.similarity).max() { grid.append(top.nextUp) }
        grid.sort()
        // Pairs that can hit at all, by decreasing similarity; one pass over the grid from the top
        // accumulates the hits at each threshold.
        let eligible = pairs.filter { !useGuards || $0.guardsPassed }.sorted { $0.similarity > $1.similarity }
        var points: [ThresholdPoint] = []
        points.reserveCapacity(grid.count)
        var i = 0, tp = 0, fp = 0
        for t in grid.reversed() {
            while i < eligible.count, eligible[i].similarity >= t {
                if eligible[i].isSameAnswer { tp += 1 } else { fp += 1 }
                i += 1
            }
            points.append(ThresholdPoint(threshold: t, hits: tp + fp, trueHits: tp, falseHits: fp,
                                         positives: positives, negatives: negatives))
        }
        return points.reversed()
    }

    /// Sweeps and recommends the lowest threshold whose error rate (per `objective`) is ≤ `target`.
    public static func calibrate(_ pairs: [LabelledPair], target: Double, objective: Objective = .falseHitRate,
                                 thresholds: [Float]? = nil, useGuards: Bool = true) throws(CacheError) -> CalibrationReport {
        guard target.isFinite, target >= 0, target <= 1 else {
            throw .invalidConfig(parameter: "target", value: "\(target)", allowed: "[0, 1]")
        }
        var points = try sweep(pairs, thresholds: thresholds, useGuards: useGuards)
        if thresholds != nil, let top = pairs.map(\.similarity).max(), (points.last?.threshold ?? -.infinity) <= top {
            // Make sure a "hit nothing" point exists so a recommendation always does.
            points += try sweep(pairs, thresholds: [top.nextUp], useGuards: useGuards)
        }
        func rate(_ p: ThresholdPoint) -> Double {
            objective == .falseHitRate ? p.falseHitRate : p.falseDiscoveryRate
        }
        // Error rates need not be monotone in the threshold (FDR is not), so take the lowest
        // threshold meeting the target among all points.
        let ok = points.filter { rate($0) <= target }
        let recommended = ok.first ?? points[points.count - 1]
        return CalibrationReport(points: points, recommended: recommended, target: target, objective: objective, usedGuards: useGuards)
    }

    /// The similarity floor to pair with a learned verifier, which makes the decision: the floor
    /// only bounds how many candidates the verifier must score, so it should drop almost no
    /// reusable pair. Returns the largest value on a 0.01 grid below which at most `1 − keep` of
    /// the same-answer pairs fall (guards ignored: they run after the floor).
    public static func candidateFloor(_ pairs: [LabelledPair], keep: Double) throws(CacheError) -> Float {
        guard keep.isFinite, keep > 0, keep <= 1 else {
            throw .invalidConfig(parameter: "keep", value: "\(keep)", allowed: "(0, 1]")
        }
        let positives = pairs.filter(\.isSameAnswer).map(\.similarity).sorted()
        guard !positives.isEmpty else { throw .noCalibrationData }
        for s in positives where !s.isFinite {
            throw .invalidConfig(parameter: "similarity", value: "\(s)", allowed: "finite")
        }
        // Dropping the `allowed` lowest positives is acceptable; the next one must stay above.
        let allowed = Int((Double(positives.count) * (1 - keep) + 1e-9).rounded(.down))
        let lowestKept = positives[min(allowed, positives.count - 1)]
        return (lowestKept * 100).rounded(.down) / 100
    }
}
