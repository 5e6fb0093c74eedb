import Engine

/// `GET /metrics`: vLLM's metric names where they exist (labelled `model_name` as vLLM does), plus
/// per-adapter series vLLM lacks (`loraserve:adapter_*`) and the server's own admission counters.
enum MetricsRenderer {
    struct Input {
        var model: String
        var engine: EngineMetrics
        var adapters: [AdapterInfo]
        var admitted: Int
        var admissionCapacity: Int
        var counters: ServerCounters.State
        /// Unix seconds (vLLM's `lora_requests_info` value is the time of the scrape).
        var now: Double
    }

    static func render(_ input: Input) -> String {
        var out = PrometheusExposition()
        let model = [("model_name", input.model)]
        let engine = input.engine

        out.family("vllm:num_requests_running", .gauge, help: "Number of requests in model execution batches.")
        out.sample("vllm:num_requests_running", model, Double(engine.running))
        out.family("vllm:num_requests_waiting", .gauge, help: "Number of requests waiting to be processed.")
        out.sample("vllm:num_requests_waiting", model, Double(engine.waiting))
        out.family("vllm:kv_cache_usage_perc", .gauge, help: "KV-cache usage. 1 means 100 percent usage.")
        let usage = engine.kvBlocksTotal > 0 ? Double(engine.kvBlocksUsed) / Double(engine.kvBlocksTotal) : 0
        out.sample("vllm:kv_cache_usage_perc", model, usage)
        out.family("vllm:lora_requests_info", .gauge, help: "Running stats on lora requests.")
        out.sample("vllm:lora_requests_info", [
            ("max_lora", String(engine.maxActiveAdapters)),
            ("running_lora_adapters", engine.runningAdapters.joined(separator: ",")),
            ("waiting_lora_adapters", engine.waitingAdapters.joined(separator: ",")),
        ], input.now)
        out.family("vllm:num_preemptions_total", .counter, help: "Cumulative number of preemptions from the engine.")
        out.sample("vllm:num_preemptions_total", model, Double(engine.preemptions))
        out.family("vllm:prompt_tokens_total", .counter, help: "Number of prefill tokens processed.")
        out.sample("vllm:prompt_tokens_total", model, Double(engine.promptTokensTotal))
        out.family("vllm:generation_tokens_total", .counter, help: "Number of generation tokens processed.")
        out.sample("vllm:generation_tokens_total", model, Double(engine.generationTokensTotal))

        out.family("vllm:request_success_total", .counter, help: "Count of successfully processed requests.")
        var finished: [String: Int] = ["stop": 0, "length": 0, "abort": 0]
        for (reason, count) in engine.requestsFinished { finished[reason == "cancelled" ? "abort" : reason, default: 0] += count }
        for reason in finished.keys.sorted() {
            out.sample("vllm:request_success_total", model + [("finished_reason", reason)], Double(finished[reason] ?? 0))
        }

        out.family("vllm:time_to_first_token_seconds", .histogram, help: "Histogram of time to first token in seconds.")
        out.histogram("vllm:time_to_first_token_seconds", model, engine.timeToFirstToken)
        out.family("vllm:e2e_request_latency_seconds", .histogram, help: "Histogram of end to end request latency in seconds.")
        out.histogram("vllm:e2e_request_latency_seconds", model, engine.endToEndLatency)
        out.family("vllm:time_per_output_token_seconds", .histogram, help: "Histogram of time per output token in seconds.")
        out.histogram("vllm:time_per_output_token_seconds", model, engine.timePerOutputToken)

        renderAdapters(input, into: &out)
        renderServer(input, into: &out)
        return out.text
    }

    private static func renderAdapters(_ input: Input, into out: inout PrometheusExposition) {
        let adapters = input.adapters.sorted { $0.name < $1.name }
        out.family("loraserve:adapter_requests_total", .counter, help: "Requests served per adapter.")
        for a in adapters { out.sample("loraserve:adapter_requests_total", [("adapter", a.name)], Double(a.requests)) }
        out.family("loraserve:adapter_tokens_total", .counter, help: "Tokens processed per adapter, by kind (prompt or generation).")
        for a in adapters {
            out.sample("loraserve:adapter_tokens_total", [("adapter", a.name), ("kind", "prompt")], Double(a.promptTokens))
            out.sample("loraserve:adapter_tokens_total", [("adapter", a.name), ("kind", "generation")], Double(a.generatedTokens))
        }
        out.family("loraserve:adapter_loaded", .gauge, help: "1 when the adapter's weights are in memory (residency active or host), else 0.")
        for a in adapters {
            let inMemory = a.residency == .active || a.residency == .host
            out.sample("loraserve:adapter_loaded", [("adapter", a.name), ("residency", a.residency.rawValue), ("rank", String(a.rank)),
                                                    ("pinned", a.pinned ? "true" : "false")], inMemory ? 1 : 0)
        }
        out.family("loraserve:adapter_bytes", .gauge, help: "Size of the adapter's weights in bytes.")
        for a in adapters { out.sample("loraserve:adapter_bytes", [("adapter", a.name)], Double(a.bytes)) }
        out.family("loraserve:adapter_loads_total", .counter, help: "Times the adapter's weights were loaded into memory.")
        for a in adapters { out.sample("loraserve:adapter_loads_total", [("adapter", a.name)], Double(a.loadCount)) }
        out.family("loraserve:adapter_evictions_total", .counter, help: "Times the adapter was evicted.")
        for a in adapters { out.sample("loraserve:adapter_evictions_total", [("adapter", a.name)], Double(a.evictionCount)) }
        out.family("loraserve:adapter_load_seconds", .gauge, help: "Duration of the adapter's most recent load in seconds.")
        for a in adapters {
            if let seconds = a.lastLoadSeconds { out.sample("loraserve:adapter_load_seconds", [("adapter", a.name)], seconds) }
        }
        out.family("loraserve:adapter_time_to_first_token_seconds", .histogram, help: "Histogram of time to first token per adapter in seconds.")
        for name in input.engine.perAdapterTimeToFirstToken.keys.sorted() {
            if let summary = input.engine.perAdapterTimeToFirstToken[name] {
                out.histogram("loraserve:adapter_time_to_first_token_seconds", [("adapter", name)], summary)
            }
        }
    }

    private static func renderServer(_ input: Input, into out: inout PrometheusExposition) {
        out.family("loraserve:kv_blocks_used", .gauge, help: "KV-cache blocks in use.")
        out.sample("loraserve:kv_blocks_used", [], Double(input.engine.kvBlocksUsed))
        out.family("loraserve:kv_blocks_total", .gauge, help: "KV-cache blocks in the pool.")
        out.sample("loraserve:kv_blocks_total", [], Double(input.engine.kvBlocksTotal))
        out.family("loraserve:engine_steps_total", .counter, help: "Engine iterations run.")
        out.sample("loraserve:engine_steps_total", [], Double(input.engine.stepCount))
        out.family("loraserve:engine_loop_cpu_seconds_total", .counter,
                   help: "CPU seconds of the step-loop thread (all compute with --threads 1).")
        out.sample("loraserve:engine_loop_cpu_seconds_total", [], input.engine.loopThreadCPUSeconds)
        out.family("loraserve:server_admitted_requests", .gauge, help: "Engine requests admitted by the HTTP server and not yet ended.")
        out.sample("loraserve:server_admitted_requests", [], Double(input.admitted))
        out.family("loraserve:server_admission_capacity", .gauge, help: "Most engine requests the HTTP server admits at once.")
        out.sample("loraserve:server_admission_capacity", [], Double(input.admissionCapacity))
        out.family("loraserve:server_rejected_requests_total", .counter, help: "Requests refused with 429 because the queue was full.")
        out.sample("loraserve:server_rejected_requests_total", [("reason", "queue_full")], Double(input.counters.rejectedQueueFull))
        out.family("loraserve:server_client_disconnects_total", .counter, help: "Streams whose client went away before the end.")
        out.sample("loraserve:server_client_disconnects_total", [], Double(input.counters.clientDisconnects))
        out.family("loraserve:server_stream_errors_total", .counter, help: "Streams that ended with an error event.")
        out.sample("loraserve:server_stream_errors_total", [], Double(input.counters.streamErrors))
    }
}
