import Engine
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import Worker

/// A strict little parser of the Prometheus text format 0.0.4, enough to check what we emit.
struct ExpositionParser {
    struct Sample: Equatable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    enum ParseError: Error, CustomStringConvertible {
        case bad(line: Int, String)
        var description: String { switch self { case let .bad(line, why): "line \(line): \(why)" } }
    }

    var types: [String: String] = [:]
    var helps: [String: String] = [:]
    var samples: [Sample] = []

    init(_ text: String) throws {
        var familyOrder: [String] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.isEmpty { continue }
            if line.hasPrefix("# TYPE ") || line.hasPrefix("# HELP ") {
                let parts = line.dropFirst(7).split(separator: " ", maxSplits: 1)
                guard parts.count == 2, Self.validName(String(parts[0])) else { throw ParseError.bad(line: number, "bad comment") }
                let name = String(parts[0])
                if line.hasPrefix("# TYPE ") {
                    guard ["counter", "gauge", "histogram", "summary", "untyped"].contains(String(parts[1])) else {
                        throw ParseError.bad(line: number, "bad type \(parts[1])")
                    }
                    guard types[name] == nil else { throw ParseError.bad(line: number, "duplicate TYPE for \(name)") }
                    types[name] = String(parts[1])
                    familyOrder.append(name)
                } else {
                    helps[name] = String(parts[1])
                }
                continue
            }
            guard !line.hasPrefix("#") else { continue }
            let sample = try Self.parseSample(Substring(line), line: number)
            // A sample belongs to the most recent family (histograms add _bucket/_sum/_count).
            guard let family = familyOrder.last, sample.name == family || sample.name.hasPrefix(family + "_") else {
                throw ParseError.bad(line: number, "\(sample.name) is not in the current family")
            }
            samples.append(sample)
        }
    }

    static func validName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || first == ":" || first.properties.isAlphabetic else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCII && ($0 == "_" || $0 == ":" || $0.properties.isAlphabetic || ("0"..."9").contains($0)) }
    }

    static func parseSample(_ line: Substring, line number: Int) throws -> Sample {
        var rest = line[...]
        let nameEnd = rest.firstIndex { $0 == "{" || $0 == " " } ?? rest.endIndex
        let name = String(rest[..<nameEnd])
        guard validName(name) else { throw ParseError.bad(line: number, "bad name \(name)") }
        rest = rest[nameEnd...]
        var labels: [String: String] = [:]
        if rest.first == "{" {
            rest = rest.dropFirst()
            while rest.first != "}" {
                guard let eq = rest.firstIndex(of: "=") else { throw ParseError.bad(line: number, "label without =") }
                let key = String(rest[..<eq])
                rest = rest[rest.index(after: eq)...]
                guard rest.first == "\"" else { throw ParseError.bad(line: number, "unquoted label value") }
                rest = rest.dropFirst()
                var value = ""
                while true {
                    guard let c = rest.first else { throw ParseError.bad(line: number, "unterminated label value") }
                    rest = rest.dropFirst()
                    if c == "\"" { break }
                    if c == "\\" {
                        guard let escaped = rest.first else { throw ParseError.bad(line: number, "dangling escape") }
                        rest = rest.dropFirst()
                        switch escaped {
                        case "\\": value.append("\\")
                        case "\"": value.append("\"")
                        case "n": value.append("\n")
                        default: throw ParseError.bad(line: number, "bad escape \\\(escaped)")
                        }
                    } else {
                        guard c != "\n" else { throw ParseError.bad(line: number, "raw newline in label") }
                        value.append(c)
                    }
                }
                labels[key] = value
                if rest.first == "," { rest = rest.dropFirst() }
            }
            rest = rest.dropFirst()
        }
        guard rest.first == " " else { throw ParseError.bad(line: number, "no space before value") }
        let valueText = rest.dropFirst()
        let value: Double
        switch valueText {
        case "+Inf": value = .infinity
        case "-Inf": value = -.infinity
        case "NaN": value = .nan
        default:
            guard let parsed = Double(valueText) else { throw ParseError.bad(line: number, "bad value \(valueText)") }
            value = parsed
        }
        return Sample(name: name, labels: labels, value: value)
    }

    func values(_ name: String) -> [Sample] { samples.filter { $0.name == name } }
}

@Suite("GET /metrics")
struct MetricsTests {
    @Test("exposition parses and carries vLLM's names, types and labels")
    func vllmNames() async throws {
        let harness = try WorkerHarness()
        let text = try await harness.run { client in
            _ = try await client.post("/v1/completions", json: #"{"model":"alpha","prompt":"abc","max_tokens":2}"#)
            let response = try await client.get("/metrics")
            #expect(response.head.headerFields[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
            return response.text
        }
        let parsed = try ExpositionParser(text)
        let expected: [String: String] = [
            "vllm:num_requests_running": "gauge", "vllm:num_requests_waiting": "gauge", "vllm:kv_cache_usage_perc": "gauge",
            "vllm:lora_requests_info": "gauge", "vllm:prompt_tokens_total": "counter", "vllm:generation_tokens_total": "counter",
            "vllm:request_success_total": "counter", "vllm:time_to_first_token_seconds": "histogram",
            "vllm:e2e_request_latency_seconds": "histogram", "vllm:time_per_output_token_seconds": "histogram",
            "loraserve:adapter_requests_total": "counter", "loraserve:adapter_tokens_total": "counter",
            "loraserve:adapter_loaded": "gauge", "loraserve:adapter_time_to_first_token_seconds": "histogram",
            "loraserve:server_admitted_requests": "gauge",
        ]
        for (name, type) in expected { #expect(parsed.types[name] == type, "\(name)") }
        #expect(parsed.values("vllm:num_requests_running").first?.labels == ["model_name": "fake-base"])
        #expect(parsed.values("vllm:prompt_tokens_total").first?.value == 3)

        let info = try #require(parsed.values("vllm:lora_requests_info").first)
        #expect(info.labels == ["max_lora": "4", "running_lora_adapters": "alpha,beta", "waiting_lora_adapters": ""])
        #expect(info.value == 1_700_000_000)

        let reasons = Set(parsed.values("vllm:request_success_total").compactMap { $0.labels["finished_reason"] })
        #expect(reasons == ["stop", "length", "abort"])

        let requests = parsed.values("loraserve:adapter_requests_total")
        #expect(requests.first { $0.labels["adapter"] == "alpha" }?.value == 1)
        let tokens = parsed.values("loraserve:adapter_tokens_total")
        #expect(Set(tokens.compactMap { $0.labels["kind"] }) == ["prompt", "generation"])
        let loaded = try #require(parsed.values("loraserve:adapter_loaded").first { $0.labels["adapter"] == "beta" })
        #expect(loaded.labels == ["adapter": "beta", "residency": "active", "rank": "64", "pinned": "false"])
        #expect(loaded.value == 1)
    }

    @Test("histograms are cumulative, end in +Inf = _count, and have _sum")
    func histograms() async throws {
        let harness = try WorkerHarness()
        let text = try await harness.run { client in try await client.get("/metrics").text }
        let parsed = try ExpositionParser(text)
        for name in ["vllm:time_to_first_token_seconds", "vllm:e2e_request_latency_seconds", "loraserve:adapter_time_to_first_token_seconds"] {
            let series = Dictionary(grouping: parsed.values(name + "_bucket")) { $0.labels.filter { $0.key != "le" } }
            #expect(!series.isEmpty, "\(name)")
            for (labels, buckets) in series {
                let counts = buckets.map(\.value)
                #expect(counts == counts.sorted(), "\(name) buckets are cumulative")
                #expect(buckets.last?.labels["le"] == "+Inf")
                let count = parsed.values(name + "_count").first { $0.labels == labels }
                #expect(count?.value == buckets.last?.value)
                #expect(parsed.values(name + "_sum").contains { $0.labels == labels })
            }
        }
    }

    @Test("label values are escaped")
    func escaping() async throws {
        let harness = try WorkerHarness()
        let text = try await harness.run { client in try await client.get("/metrics").text }
        #expect(text.contains(#"adapter="we\"ird\\name\n""#))
        let parsed = try ExpositionParser(text)
        #expect(parsed.values("loraserve:adapter_time_to_first_token_seconds_count").contains { $0.labels["adapter"] == "we\"ird\\name\n" })
    }

    @Test("the parser rejects malformed lines", arguments: ["x{a=\"1} 2", "bad name 1", "# TYPE x weird", "x 1.2.3"])
    func parserRejects(line: String) {
        #expect(throws: ExpositionParser.ParseError.self) { try ExpositionParser("# TYPE x gauge\n" + line + "\n") }
    }
}
