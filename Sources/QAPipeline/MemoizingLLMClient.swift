/// Replays completions by exact prompt (system, user, maxTokens). Greedy decoding makes a prompt's
/// completion a function of the prompt, so evaluation runs at several thresholds pay the LLM once
/// per distinct (question, summary source) pair. In `recording` mode an unknown prompt is not sent:
/// it is remembered and answered with a placeholder text, so a dry run can collect the prompts a
/// run will need and `prefetch` can compute them concurrently (the engine batches them).
public actor MemoizingLLMClient: LLMClient {
    public struct Prompt: Hashable, Sendable, Codable {
        public var system: String
        public var user: String
        public var maxTokens: Int
    }

    /// One computed completion, for persisting the memo between evaluation runs (`--llm-cache`).
    public struct Record: Sendable, Codable {
        public var prompt: Prompt
        public var completion: LLMCompletion
        public init(prompt: Prompt, completion: LLMCompletion) {
            self.prompt = prompt
            self.completion = completion
        }
    }

    public let base: any LLMClient
    public private(set) var recording = false
    private var memo: [Prompt: LLMCompletion] = [:]
    private var pending: [Prompt] = []
    private var pendingSet: Set<Prompt> = []
    /// Calls that went to `base` (the LLM work actually paid).
    public private(set) var realCalls = 0
    public private(set) var replays = 0

    /// Called with every completion really computed (e.g. to append it to a file).
    private let journal: (@Sendable (Record) -> Void)?

    public init(base: any LLMClient, journal: (@Sendable (Record) -> Void)? = nil) {
        self.base = base
        self.journal = journal
    }

    /// Preloads completions computed earlier with the same LLM (greedy: same prompt, same text).
    /// Seeded completions are replays, not real calls.
    public func seed(_ records: [Record]) {
        for r in records { memo[r.prompt] = r.completion }
    }

    /// The text of a not-yet-computed completion in recording mode.
    public static let placeholder = "\u{1}pending completion\u{1}"

    public func setRecording(_ on: Bool) { recording = on }
    public var pendingCount: Int { pending.count }
    public var memoCount: Int { memo.count }

    public func complete(system: String, user: String, maxTokens: Int) async throws -> LLMCompletion {
        let key = Prompt(system: system, user: user, maxTokens: maxTokens)
        if let hit = memo[key] { replays += 1; return hit }
        if recording {
            // A prompt built on a placeholder is not real work: its real form is only known once
            // the placeholder's own prompt has been computed (the next pass records it).
            if !user.contains(Self.placeholder), !system.contains(Self.placeholder), pendingSet.insert(key).inserted { pending.append(key) }
            return LLMCompletion(text: Self.placeholder, promptTokens: 0, completionTokens: 0)
        }
        let result = try await base.complete(system: system, user: user, maxTokens: maxTokens)
        realCalls += 1
        memo[key] = result
        journal?(Record(prompt: key, completion: result))
        return result
    }

    /// Computes every recorded prompt, `width` at a time; `progress(done, total)` after each.
    public func prefetch(width: Int, progress: @Sendable (Int, Int) -> Void = { _, _ in }) async throws {
        let work = pending
        pending = []
        pendingSet = []
        let base = self.base
        var done = 0
        try await withThrowingTaskGroup(of: (Prompt, LLMCompletion).self) { group in
            var next = 0
            func add() {
                let p = work[next]
                next += 1
                group.addTask { (p, try await base.complete(system: p.system, user: p.user, maxTokens: p.maxTokens)) }
            }
            while next < work.count, next < max(1, width) { add() }
            while let (p, c) = try await group.next() {
                memo[p] = c
                realCalls += 1
                journal?(Record(prompt: p, completion: c))
                done += 1
                progress(done, work.count)
                if next < work.count { add() }
            }
        }
    }
}
