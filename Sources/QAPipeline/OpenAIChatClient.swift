import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `LLMClient` for any OpenAI-compatible server (a LoRAServe worker or controller, vLLM,
/// llama.cpp's server): `POST {baseURL}/v1/chat/completions` with temperature 0. Dependency-free:
/// Foundation's `URLSession` only.
public struct OpenAIChatClient: LLMClient {
    public let baseURL: URL
    public let model: String
    public let apiKey: String?
    public let timeoutSeconds: Double

    /// `baseURL` is the server root (`http://host:port`); a trailing `/v1` is accepted too.
    public init(baseURL: URL, model: String = "default", apiKey: String? = nil, timeoutSeconds: Double = 120) {
        var url = baseURL
        if url.lastPathComponent == "v1" { url = url.deletingLastPathComponent() }
        self.baseURL = url
        self.model = model
        self.apiKey = apiKey
        self.timeoutSeconds = timeoutSeconds
    }

    struct Body: Encodable {
        struct Message: Encodable { var role: String; var content: String }
        var model: String
        var messages: [Message]
        var max_tokens: Int
        var temperature: Double
        var stream: Bool
    }

    struct Reply: Decodable {
        struct Choice: Decodable {
            struct Message: Decodable { var content: String? }
            var message: Message
        }
        struct Usage: Decodable { var prompt_tokens: Int; var completion_tokens: Int }
        var choices: [Choice]
        var usage: Usage?
    }

    public var endpoint: URL { baseURL.appendingPathComponent("v1").appendingPathComponent("chat").appendingPathComponent("completions") }

    public func complete(system: String, user: String, maxTokens: Int) async throws -> LLMCompletion {
        let started = ContinuousClock.now
        var request = URLRequest(url: endpoint, timeoutInterval: timeoutSeconds)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        if let apiKey { request.setValue("Bearer \(apiKey)", forHTTPHeaderField: "Authorization") }
        let body = Body(model: model, messages: [.init(role: "system", content: system), .init(role: "user", content: user)],
                        max_tokens: maxTokens, temperature: 0, stream: false)
        request.httpBody = try JSONEncoder().encode(body)
        let (data, response): (Data, URLResponse)
        do { (data, response) = try await URLSession.shared.data(for: request) } catch {
            throw QAPipelineError.llm("\(endpoint.absoluteString): \(error.localizedDescription)")
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200..<300).contains(status) else {
            throw QAPipelineError.http(status: status, body: String(decoding: data, as: UTF8.self), url: endpoint.absoluteString)
        }
        let reply: Reply
        do { reply = try JSONDecoder().decode(Reply.self, from: data) } catch {
            throw QAPipelineError.malformedResponse("\(error) in \(String(decoding: data.prefix(300), as: UTF8.self))")
        }
        guard let first = reply.choices.first else { throw QAPipelineError.malformedResponse("no choices") }
        let text = (first.message.content ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        // Servers without `usage` get a rough estimate (4 characters a token) so savings still add up.
        let promptTokens = reply.usage?.prompt_tokens ?? (system.utf8.count + user.utf8.count) / 4
        let completionTokens = reply.usage?.completion_tokens ?? text.utf8.count / 4
        let elapsed = ContinuousClock.now - started
        let (s, atto) = elapsed.components
        return LLMCompletion(text: text, promptTokens: promptTokens, completionTokens: completionTokens,
                             seconds: Double(s) + Double(atto) * 1e-18)
    }
}
