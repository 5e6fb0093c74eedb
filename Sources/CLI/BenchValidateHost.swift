import Engine
import Placement
import Simulator

extension ValidationRun {
    /// How the live local cluster's host is modelled, and from what it was measured.
    struct SharedHostReport: Encodable {
        let model: SharedHost
        /// Median TTFT of the idle probe (all policies' probes pooled) and the simulated engine
        /// time of one probe request (one prefill step of its prompt, one sampled sequence).
        let probe_median_s: Double
        let probe_engine_s: Double
        let probes: Int

        /// The host of `live`: its cores (`cores`, else results.json's), the workers' threads,
        /// the background load the run measured (mean over policies), and the front-end latency
        /// measured by the idle probe. Nil when results.json predates
        /// the probe and no core count is given.
        static func measure(_ live: LiveClusterResults, fleet: FleetSpec, cores: Double?) -> SharedHostReport? {
            guard let cores = cores ?? live.hostCores.map(Double.init) else { return nil }
            let probes = live.policies.flatMap { $0.idleProbeTtftS ?? [] }.filter(\.isFinite)
            var engine = 0.0
            var median = 0.0
            if !probes.isEmpty, let tokens = live.probePromptTokens, tokens > 0 {
                median = EngineBenchmark.median(probes)
                var shape = StepShape()
                shape.add(tokens: tokens, rank: 0, newAdapter: false)
                engine = fleet.stepSeconds(shape, sampled: 1, mode: .exact)
            }
            let frontEnd = max(0, median - engine)
            // Per policy run: the controller and load generator, plus the workers' HTTP threads.
            let background = live.policies.compactMap { p in
                p.backgroundCpuCores.map { $0 + (p.workerOverheadCpuCores ?? 0) }
            }.filter(\.isFinite)
            let backgroundCores = background.isEmpty ? 0 : background.reduce(0, +) / Double(background.count)
            return SharedHostReport(model: SharedHost(cores: cores, threadsPerWorker: live.threadsPerWorker, frontEndSeconds: frontEnd,
                                                      backgroundCores: backgroundCores),
                                    probe_median_s: median, probe_engine_s: engine, probes: probes.count)
        }
    }

    /// The headline errors of a comparison.
    struct Summary: Encodable {
        let mean_abs_error_throughput: Double
        let mean_abs_error_ttft_p50: Double
        /// Per policy, in the comparison's order (null where undefined).
        let ttft_p50_errors: [Double?]
    }

    var summary: Summary {
        Summary(mean_abs_error_throughput: mean_abs_error_throughput, mean_abs_error_ttft_p50: mean_abs_error_ttft_p50,
                ttft_p50_errors: policies.map { $0.relative_error["ttft_p50_s"] })
    }
}
