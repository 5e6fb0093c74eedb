import Engine
import ServeCore
import Synchronization
import Tokenizers

/// A deterministic in-memory engine for the worker's tests (and the sandbox's FakeServe).
///
/// Tokens are Unicode scalars (`tokenize("ab") == [97, 98]`). A request for adapter `X` (or the
/// base model) generates the text `"<X>|abcdefghijklmnopqrstuvwxyz<X>|abc..."`, cut at the first
/// stop string (finish `stop`), at `eosAfter` tokens unless `ignoreEOS` (finish `stop`), or at
/// `max_tokens` (finish `length`). Everything it is asked is recorded.
final class FakeInferenceService: InferenceService {
    enum Behavior: Sendable, Equatable {
        case normal
        /// Sleep this long before each token.
        case slow(Duration)
        /// Emit this many tokens, then wait until cancelled (a stalled generation).
        case stallAfter(Int)
        /// Emit this many tokens, then throw `internalError`.
        case failAfter(Int)
        /// Submissions fail with `queueFull`.
        case queueFull(retryAfterSeconds: Int)
    }

    struct State: Sendable {
        var behavior: Behavior = .normal
        var adapters: [String: AdapterInfo] = [:]
        var submitted: [GenerationRequest] = []
        var inFlight = 0
        var cancelled: [RequestID] = []
        var completed: [RequestID] = []
        var eosAfter: Int?
    }

    let baseModelName: String
    let contextLength: Int
    private let state: Mutex<State>

    init(baseModelName: String = "fake-base", contextLength: Int = 128, adapters: [String: Int] = ["alpha": 8, "beta": 64],
         behavior: Behavior = .normal, eosAfter: Int? = nil) {
        self.baseModelName = baseModelName
        self.contextLength = contextLength
        var initial = State()
        initial.behavior = behavior
        initial.eosAfter = eosAfter
        for (name, rank) in adapters {
            initial.adapters[name] = AdapterInfo(name: name, path: "/adapters/\(name)", rank: rank, bytes: rank * 1000, targets: ["q_proj", "v_proj"],
                                                 scale: 2, residency: .active, loadCount: 1)
        }
        state = Mutex(initial)
    }

    var snapshot: State { state.withLock { $0 } }
    func setBehavior(_ behavior: Behavior) { state.withLock { $0.behavior = behavior } }

    // MARK: - InferenceService

    func tokenize(_ text: String) -> [TokenID] { text.unicodeScalars.map { TokenID(bitPattern: $0.value) } }

    func tokenText(_ id: TokenID) -> String {
        guard id >= 0, let scalar = Unicode.Scalar(UInt32(id)) else { return "\u{FFFD}" }
        return String(Character(scalar))
    }

    func renderChat(_ messages: [ChatMessage]) throws(ServiceError) -> String {
        var text = ""
        for message in messages {
            guard ["system", "user", "assistant"].contains(message.role) else {
                throw .invalidRequest("unsupported chat role '\(message.role)'")
            }
            text += "\(message.role): \(message.content)\n"
        }
        return text + "assistant:"
    }

    /// The whole text a request would produce before stop/EOS/max_tokens cuts.
    static func script(adapter: AdapterID?, length: Int) -> [Character] {
        let pattern = Array("<\(adapter?.rawValue ?? "base")>|abcdefghijklmnopqrstuvwxyz")
        return (0..<length).map { pattern[$0 % pattern.count] }
    }

    func submit(_ request: GenerationRequest) async throws(ServiceError) -> AsyncThrowingStream<GenerationEvent, any Error> {
        let (behavior, eosAfter) = try state.withLock { (s: inout State) throws(ServiceError) -> (Behavior, Int?) in
            if case let .queueFull(seconds) = s.behavior { throw .queueFull(retryAfterSeconds: seconds) }
            if let adapter = request.adapter, s.adapters[adapter.rawValue] == nil { throw .unknownAdapter(adapter.rawValue) }
            guard request.promptTokens.count + request.sampling.maxTokens <= contextLength else {
                throw .contextOverflow(promptTokens: request.promptTokens.count, maxTokens: request.sampling.maxTokens, contextLength: contextLength)
            }
            s.submitted.append(request)
            s.inFlight += 1
            if let adapter = request.adapter { s.adapters[adapter.rawValue]?.requests += 1 }
            return (s.behavior, s.eosAfter)
        }
        let (stream, continuation) = AsyncThrowingStream<GenerationEvent, any Error>.makeStream()
        let plan = Self.plan(request, eosAfter: eosAfter)
        // The handler is installed before the producer starts: a fast producer could otherwise
        // finish before it exists, and the termination would go unrecorded.
        let box = TaskBox()
        let id = request.id
        continuation.onTermination = { [self] termination in
            box.cancel()
            self.state.withLock { s in
                s.inFlight -= 1
                if case .cancelled = termination { s.cancelled.append(id) } else { s.completed.append(id) }
            }
        }
        let producer = Task {
            var produced = 0
            for (index, character) in plan.characters.enumerated() {
                if case let .stallAfter(k) = behavior, index == k {
                    while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(20)) }
                    return
                }
                if case let .failAfter(k) = behavior, index == k {
                    continuation.finish(throwing: ServiceError.internalError("simulated engine failure"))
                    return
                }
                if case let .slow(delay) = behavior { try? await Task.sleep(for: delay) }
                if Task.isCancelled { return }
                let id = TokenID(bitPattern: character.unicodeScalars.first?.value ?? 0)
                let top = (0..<request.logprobs).map { TokenLogprob(id: id + TokenID($0), logprob: -0.5 - Float($0)) }
                continuation.yield(.token(id: id, text: plan.texts[index], logprob: request.logprobs > 0 ? -0.5 : nil, top: top))
                produced += 1
            }
            if case let .stallAfter(k) = behavior, plan.characters.count <= k {
                while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(20)) }
                return
            }
            continuation.yield(.finished(reason: plan.reason, promptTokens: request.promptTokens.count, completionTokens: produced))
            continuation.finish()
        }
        box.set(producer)
        return stream
    }

    struct Plan {
        var characters: [Character]
        /// Text each token contributes (a token ending in a possible stop-string prefix is held back as "").
        var texts: [String]
        var reason: FinishReason
    }

    static func plan(_ request: GenerationRequest, eosAfter: Int?) -> Plan {
        var length = request.sampling.maxTokens
        var reason = FinishReason.length
        if let eosAfter, !request.sampling.ignoreEOS, eosAfter < length {
            length = eosAfter
            reason = .stop
        }
        var characters = script(adapter: request.adapter, length: length)
        let full = String(characters)
        for stop in request.sampling.stop {
            if let range = full.range(of: stop) {
                let cut = full.distance(from: full.startIndex, to: range.lowerBound)
                if cut < characters.count || reason != .stop {
                    characters = Array(characters.prefix(cut))
                    reason = .stop
                }
            }
        }
        return Plan(characters: characters, texts: characters.map { String($0) }, reason: reason)
    }

    func loadAdapter(name: String, path: String) async throws(ServiceError) -> AdapterInfo {
        try state.withLock { (s: inout State) throws(ServiceError) -> AdapterInfo in
            guard s.adapters[name] == nil else { throw .adapterExists(name) }
            if path.contains("corrupt") { throw .adapterInvalid("adapter at \(path) is corrupt: truncated safetensors header") }
            let info = AdapterInfo(name: name, path: path, rank: 16, bytes: 16_000, targets: ["q_proj"], scale: 1, residency: .host,
                                   loadCount: 1, lastLoadSeconds: 0.01)
            s.adapters[name] = info
            return info
        }
    }

    func unloadAdapter(name: String) async throws(ServiceError) {
        try state.withLock { (s: inout State) throws(ServiceError) in
            guard s.adapters.removeValue(forKey: name) != nil else { throw .unknownAdapter(name) }
        }
    }

    func adapters() async -> [AdapterInfo] { state.withLock { Array($0.adapters.values) } }

    func metrics() async -> EngineMetrics {
        state.withLock { s in
            var m = EngineMetrics()
            m.running = s.inFlight
            m.kvBlocksUsed = s.inFlight
            m.kvBlocksTotal = 100
            m.maxActiveAdapters = 4
            m.runningAdapters = s.adapters.keys.sorted()
            m.promptTokensTotal = s.submitted.map(\.promptTokens.count).reduce(0, +)
            m.generationTokensTotal = 7
            m.requestsFinished = ["stop": s.completed.count, "cancelled": s.cancelled.count]
            m.timeToFirstToken.observe(0.02)
            m.endToEndLatency.observe(0.5)
            m.timePerOutputToken.observe(0.01)
            var perAdapter = LatencySummary()
            perAdapter.observe(0.03)
            m.perAdapterTimeToFirstToken = ["alpha": perAdapter, "we\"ird\\name\n": perAdapter]
            return m
        }
    }
}

/// Holds a producer task so a termination handler installed before it exists can cancel it.
final class TaskBox: Sendable {
    private let state = Mutex<(task: Task<Void, Never>?, cancelled: Bool)>((nil, false))

    func set(_ task: Task<Void, Never>) {
        let cancelled = state.withLock { s in
            s.task = task
            return s.cancelled
        }
        if cancelled { task.cancel() }
    }

    func cancel() {
        let task = state.withLock { s in
            s.cancelled = true
            return s.task
        }
        task?.cancel()
    }
}
