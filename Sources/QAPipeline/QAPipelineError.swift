/// Failures of the QA pipeline and its tools, with the context needed to act on them.
public enum QAPipelineError: Error, Sendable, CustomStringConvertible {
    case llm(String)
    case http(status: Int, body: String, url: String)
    case malformedResponse(String)
    case embedding(String)
    case noDocuments(question: String)
    case invalidDataset(path: String, reason: String)
    case invalidArgument(String)
    case cache(String)

    public var description: String {
        switch self {
        case let .llm(message): "LLM call failed: \(message)"
        case let .http(status, body, url): "HTTP \(status) from \(url): \(body.prefix(300))"
        case let .malformedResponse(message): "malformed LLM response: \(message)"
        case let .embedding(message): "embedding failed: \(message)"
        case let .noDocuments(question): "no documents to answer \"\(question)\" from (pass documents or load a corpus)"
        case let .invalidDataset(path, reason): "invalid dataset \(path): \(reason)"
        case let .invalidArgument(message): message
        case let .cache(message): "summary cache: \(message)"
        }
    }
}
