import Controller
import Testing

@Suite struct PrometheusTextTests {
    static let sample = """
    # HELP vllm:num_requests_running Running
    # TYPE vllm:num_requests_running gauge
    vllm:num_requests_running{model_name="smol"} 3
    vllm:num_requests_waiting{model_name="smol"} 2.0
    vllm:lora_requests_info{max_lora="8",running_lora_adapters="a,b",waiting_lora_adapters=""} 1.7e9
    vllm:time_to_first_token_seconds_bucket{le="0.1",model_name="smol"} 5
    vllm:time_to_first_token_seconds_bucket{le="1",model_name="smol"} 9
    vllm:time_to_first_token_seconds_bucket{le="+Inf",model_name="smol"} 10
    weird{a="x\\"y"} 1 1700000000
    garbage line without value
    """

    @Test func parsesSamplesAndLabels() {
        let samples = PrometheusText.parse(Self.sample)
        #expect(samples.sum("vllm:num_requests_running") == 3)
        #expect(samples.first("vllm:lora_requests_info")?.labels["running_lora_adapters"] == "a,b")
        #expect(samples.first("weird")?.labels["a"] == "x\"y")
        #expect(samples.first("garbage") == nil)
    }

    @Test func readsWorkerLoad() {
        let s = WorkerMetricsReader.read(PrometheusText.parse(Self.sample))
        #expect(s.running == 3 && s.waiting == 2 && s.maxLoras == 8)
        #expect(s.ttftBuckets.count == 3)
    }

    @Test func histogramQuantiles() throws {
        let buckets = WorkerMetricsReader.read(PrometheusText.parse(Self.sample)).ttftBuckets
        let p50 = try #require(HistogramQuantile.quantile(0.5, buckets: buckets))
        #expect(abs(p50 - 0.1) < 1e-9)
        let p90 = try #require(HistogramQuantile.quantile(0.9, buckets: buckets))
        #expect(abs(p90 - 1.0) < 1e-9)
        #expect(HistogramQuantile.quantile(0.5, buckets: []) == nil)
    }
}
