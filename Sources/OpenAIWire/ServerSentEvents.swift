/// Server-sent events as OpenAI streams them: `data: <json>\n\n` per chunk, `data: [DONE]\n\n` last.
public enum ServerSentEvents {
    public static let done = "data: [DONE]\n\n"

    /// Frames one event; a payload with newlines becomes several `data:` lines (SSE spec).
    public static func event(_ payload: String) -> String {
        payload.split(separator: "\n", omittingEmptySubsequences: false).map { "data: " + $0 + "\n" }.joined() + "\n"
    }

    /// Incremental parser for a byte stream of SSE (used by the controller's proxy and tests).
    /// Feeds arbitrary chunks; returns the `data` payloads of completed events.
    public struct Parser: Sendable {
        private var buffer: [UInt8] = []
        private var dataLines: [String] = []
        public init() {}

        public mutating func feed(_ bytes: some Sequence<UInt8>) -> [String] {
            buffer.append(contentsOf: bytes)
            var events: [String] = []
            while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                var line = Array(buffer[..<newline])
                buffer.removeSubrange(...newline)
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                if line.isEmpty {
                    if !dataLines.isEmpty { events.append(dataLines.joined(separator: "\n")) }
                    dataLines.removeAll()
                    continue
                }
                let text = String(decoding: line, as: UTF8.self)
                if text.hasPrefix("data:") {
                    var value = text.dropFirst(5)
                    if value.first == " " { value = value.dropFirst() }
                    dataLines.append(String(value))
                }
                // Comments (":") and other fields (event:, id:, retry:) are ignored.
            }
            return events
        }
    }
}
