import BatchScheduler
import ServeCore

/// Seeded random configs and requests for the property tests.
enum RandomWorkload {
    static func int(_ range: ClosedRange<Int>, _ rng: inout SplitMix64) -> Int {
        Int.random(in: range, using: &rng)
    }

    /// A small, valid config: tight budgets and pools so that chunking, preemption and the
    /// adapter limit all happen.
    static func config(_ rng: inout SplitMix64) -> SchedulerConfig {
        let blockTokens = [1, 2, 4, 16][int(0 ... 3, &rng)]
        let budget = int(8 ... 256, &rng)
        let modelLength = int(16 ... 256, &rng)
        let minBlocks = (modelLength + blockTokens - 1) / blockTokens
        return SchedulerConfig(
            maxBatchTokens: budget,
            maxRunningSequences: int(1 ... min(32, budget), &rng),
            kvBlockTokens: blockTokens,
            kvBlockCount: int(minBlocks ... minBlocks * 4, &rng),
            maxModelLength: modelLength,
            maxAdaptersPerStep: int(1 ... 4, &rng),
            maxPrefillChunkTokens: int(1 ... budget, &rng),
            maxWaiting: int(8 ... 64, &rng),
            fairnessQuantumTokens: int(1 ... 256, &rng),
            agingSteps: int(0 ... 32, &rng))
    }

    /// A request that fits `config`, for one of `adapters` or (one time in four) the base model.
    static func request(id: UInt64, at now: Double, adapters: [AdapterID], config: SchedulerConfig,
                        _ rng: inout SplitMix64) -> RequestSpec {
        let prompt = int(1 ... config.maxModelLength - 1, &rng)
        let maxNew = min(int(1 ... 32, &rng), config.maxModelLength - prompt)
        let base = adapters.isEmpty || int(0 ... 3, &rng) == 0
        let adapter = base ? nil : adapters[int(0 ... adapters.count - 1, &rng)]
        return RequestSpec(id: RequestID(id), adapter: adapter, promptTokenCount: prompt, maxNewTokens: maxNew,
                           arrivedAt: now, rank: base ? 0 : [8, 16, 64][int(0 ... 2, &rng)])
    }

    /// Outcome of one seeded run: what happened to every accepted request, plus the trace.
    struct Run {
        var executor: ToyExecutor
        var accepted: [RequestID] = []
        var rejected = 0
        var steps = 0
    }

    /// Submits `requestCount` requests over time with random cancellations and adapter readiness
    /// flapping, then drains (all adapters ready) until every request is gone.
    static func run(seed: UInt64, requestCount: Int = 150, recordsTrace: Bool = false,
                    secondsPerStep: Double = 0.01) throws -> Run {
        var rng = SplitMix64(seed: seed)
        let config = config(&rng)
        let adapters = (0 ..< int(1 ... 6, &rng)).map { AdapterID("a\($0)") }
        var run = Run(executor: try ToyExecutor(config: config, seed: seed &+ 1, stopProbability: 0.05,
                                                errorProbability: 0.002, recordsTrace: recordsTrace))
        run.executor.secondsPerStep = secondsPerStep
        var nextID: UInt64 = 1
        while nextID <= UInt64(requestCount) {
            let burst = [0, 0, 0, 0, 0, 1, 1, 4][int(0 ... 7, &rng)]
            for _ in 0 ..< burst where nextID <= UInt64(requestCount) {
                let spec = request(id: nextID, at: run.executor.now, adapters: adapters, config: config, &rng)
                nextID += 1
                if run.executor.submit(spec) == nil { run.accepted.append(spec.id) } else { run.rejected += 1 }
            }
            if int(0 ... 49, &rng) == 0, let victim = run.executor.live.keys.min() {
                run.executor.cancel(victim)
            }
            let ready = Set(adapters.filter { _ in int(0 ... 4, &rng) != 0 })
            run.executor.runStep { ready.contains($0) }
            run.steps += 1
        }
        run.steps += run.executor.drain(maxSteps: 100_000)
        return run
    }
}
