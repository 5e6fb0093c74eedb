import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import QAPipeline

/// The `/v1/qa` LLM when none is configured on a controller: the controller's own OpenAI front
/// door. The model defaults to the fleet's base model, learned from `GET /v1/models` at the first
/// call (the card without a parent), because the controller refuses unknown model names.
public actor FrontDoorLLMClient: LLMClient {
    public nonisolated let baseURL: URL
    public nonisolated let apiKey: String?
    private var resolved: OpenAIChatClient?
    private let model: String?

    public init(baseURL: URL, model: String? = nil, apiKey: String? = nil) {
        self.baseURL = baseURL
        self.model = model
        self.apiKey = apiKey
        if let model { resolved = OpenAIChatClient(baseURL: baseURL, model: model, apiKey: apiKey) }
    }

    struct Models: Decodable {
        struct Card: Decodable { var id: String; var parent: String? }
        var data: [Card]
    }

    public func complete(system: String, user: String, maxTokens: Int) async throws -> LLMCompletion {
        try await client().complete(system: system, user: user, maxTokens: maxTokens)
    }

    func client() async throws -> OpenAIChatClient {
        if let resolved { return resolved }
        var request = URLRequest(url: baseURL.appendingPathComponent("v1").appendingPathComponent("models"), timeoutInterval: 10)
        if let apiKey { request.setValue("Bearer \(apiKey)", forHTTPHeaderField: "Authorization") }
        let data: Data
        do { (data, _) = try await URLSession.shared.data(for: request) } catch {
            throw QAPipelineError.llm("\(baseURL.absoluteString)/v1/models: \(error.localizedDescription)")
        }
        let cards = (try? JSONDecoder().decode(Models.self, from: data))?.data ?? []
        guard let base = cards.first(where: { $0.parent == nil }) ?? cards.first else {
            throw QAPipelineError.llm("\(baseURL.absoluteString)/v1/models lists no model yet (is a worker up?)")
        }
        let made = OpenAIChatClient(baseURL: baseURL, model: base.id, apiKey: apiKey)
        resolved = made
        return made
    }
}
