import ServeCore

/// A step's decisions in compact, comparable form: which request got which positions, and who
/// was preempted. Engine and simulator traces must be equal for the same seeded workload.
public struct StepDigest: Sendable, Codable, Equatable, Hashable, CustomStringConvertible {
    public struct Span: Sendable, Codable, Equatable, Hashable {
        public var request: UInt64
        public var start: Int
        public var count: Int
        public var decode: Bool
    }

    public var index: UInt64
    public var spans: [Span]
    public var preempted: [UInt64]

    public init(_ step: Step) {
        index = step.index
        spans = step.entries.map {
            Span(request: $0.request.rawValue, start: $0.position, count: $0.tokenCount, decode: $0.isDecode)
        }
        preempted = step.preempted.map(\.rawValue)
    }

    /// e.g. `#3 req-1@40+1d req-2@0+256 !req-9`.
    public var description: String {
        var parts = ["#\(index)"]
        parts += spans.map { "req-\($0.request)@\($0.start)+\($0.count)\($0.decode ? "d" : "")" }
        parts += preempted.map { "!req-\($0)" }
        return parts.joined(separator: " ")
    }

    /// Folds the fields into `state`, one 64-bit word at a time (FNV-1a's step on whole words,
    /// then a xor-shift so high bits feed back): a running fingerprint of a whole trace that is
    /// stable across processes and platforms (unlike `Hasher`, which is seeded per process).
    public func fold(into state: inout UInt64) {
        Self.mix(index, into: &state)
        Self.mix(UInt64(spans.count), into: &state)
        for s in spans { Self.mix(s, into: &state) }
        Self.mix(UInt64(preempted.count), into: &state)
        for p in preempted { Self.mix(p, into: &state) }
    }

    static func mix(_ s: Span, into state: inout UInt64) {
        mix(request: s.request, start: s.start, count: s.count, decode: s.decode, into: &state)
    }

    @inline(__always)
    static func mix(request: UInt64, start: Int, count: Int, decode: Bool, into state: inout UInt64) {
        mix(request, into: &state)
        // start and count are < 2^31 (context lengths), so one word holds both plus the flag.
        mix(UInt64(truncatingIfNeeded: start) << 32 ^ UInt64(truncatingIfNeeded: count) << 1 ^ (decode ? 1 : 0),
            into: &state)
    }

    @inline(__always)
    static func mix(_ v: UInt64, into state: inout UInt64) {
        state = (state ^ v) &* 0x0000_0100_0000_01B3
        state ^= state >> 29
    }

    /// FNV-1a offset basis: the fingerprint of an empty trace.
    public static let emptyTraceHash: UInt64 = 0xCBF2_9CE4_8422_2325
}

extension Step {
    /// Same as `digest.fold(into:)` without building the digest (the per-step default path).
    func foldDigest(into state: inout UInt64) {
        StepDigest.mix(index, into: &state)
        StepDigest.mix(UInt64(entries.count), into: &state)
        for e in entries {
            StepDigest.mix(request: e.request.rawValue, start: e.position, count: e.tokenCount, decode: e.isDecode,
                           into: &state)
        }
        StepDigest.mix(UInt64(preempted.count), into: &state)
        for p in preempted { StepDigest.mix(p.rawValue, into: &state) }
    }
}
