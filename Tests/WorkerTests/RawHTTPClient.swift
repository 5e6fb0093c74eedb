import NIOCore
import NIOPosix
import OpenAIWire

/// A one-request-per-connection HTTP/1.1 client over a raw socket that hands SSE events to the
/// caller as they arrive and can hang up at any moment (what a client that goes away does).
struct RawHTTPClient: Sendable {
    let port: Int

    struct Result: Sendable {
        var status: Int
        var headers: [String: String]
        var events: [String]
        var body: [UInt8]
        /// The whole response arrived (false when we hung up first).
        var complete: Bool
    }

    /// Sends one POST, waits until `hangUpWhen` holds (polled), then closes the socket.
    func postThenHangUp(_ path: String, json: String, hangUpWhen: @Sendable () async -> Bool) async throws {
        let channel = try await connect()
        try await channel.executeThenClose { _, outbound in
            try await outbound.write(Self.request(path, json: json))
            for _ in 0..<1000 where await !hangUpWhen() { try await Task.sleep(for: .milliseconds(10)) }
        }
    }

    private func connect() async throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer> {
        try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
    }

    private static func request(_ path: String, json: String) -> ByteBuffer {
        let body = Array(json.utf8)
        let head = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n"
        return ByteBuffer(bytes: Array(head.utf8) + body)
    }

    /// Sends one POST; `onEvent` returns false to hang up right away.
    func post(_ path: String, json: String, onEvent: @Sendable (String) async -> Bool = { _ in true },
              hangUpAfterHeaders: Bool = false) async throws -> Result {
        let channel = try await connect()
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(Self.request(path, json: json))
            var decoder = HTTPResponseDecoder()
            var parser = ServerSentEvents.Parser()
            var result = Result(status: 0, headers: [:], events: [], body: [], complete: false)
            for try await buffer in inbound {
                let bytes = try decoder.feed(Array(buffer.readableBytesView))
                result.status = decoder.status
                result.headers = decoder.headers
                if hangUpAfterHeaders, decoder.status != 0 { return result }
                result.body += bytes
                for event in parser.feed(bytes) {
                    result.events.append(event)
                    if await !onEvent(event) { return result }
                }
                if decoder.isComplete {
                    result.complete = true
                    return result
                }
            }
            return result
        }
    }
}

/// Incremental HTTP/1.1 response decoder (status, headers, chunked or Content-Length body).
struct HTTPResponseDecoder {
    enum DecodeError: Error { case malformed(String) }

    private(set) var status = 0
    private(set) var headers: [String: String] = [:]
    private(set) var isComplete = false
    private var buffer: [UInt8] = []
    private var inBody = false
    private var chunked = false
    private var remaining: Int?
    private var chunkRemaining: Int?
    private var awaitingChunkCRLF = false

    mutating func feed(_ bytes: [UInt8]) throws -> [UInt8] {
        buffer += bytes
        var out: [UInt8] = []
        if !inBody {
            guard let end = find([13, 10, 13, 10]) else { return [] }
            let head = String(decoding: buffer[..<end], as: UTF8.self).split(separator: "\r\n")
            buffer.removeSubrange(..<(end + 4))
            guard let statusLine = head.first, statusLine.split(separator: " ").count >= 2, let code = Int(statusLine.split(separator: " ")[1]) else {
                throw DecodeError.malformed("status line")
            }
            status = code
            for line in head.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingPrefix(" ").description
            }
            inBody = true
            chunked = headers["transfer-encoding"]?.lowercased().contains("chunked") ?? false
            remaining = headers["content-length"].flatMap { Int($0) }
            if !chunked, remaining == 0 { isComplete = true }
        }
        if !chunked {
            out = buffer
            buffer.removeAll()
            if let left = remaining {
                remaining = left - out.count
                if left - out.count <= 0 { isComplete = true }
            }
            return out
        }
        while true {
            if awaitingChunkCRLF {
                guard buffer.count >= 2 else { return out }
                buffer.removeFirst(2)
                awaitingChunkCRLF = false
            }
            if chunkRemaining == nil {
                guard let lineEnd = find([13, 10]) else { return out }
                let sizeText = String(decoding: buffer[..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
                buffer.removeSubrange(..<(lineEnd + 2))
                guard let size = Int(sizeText.trimmingPrefix(" "), radix: 16) else { throw DecodeError.malformed("chunk size \(sizeText)") }
                if size == 0 {
                    isComplete = true
                    return out
                }
                chunkRemaining = size
            }
            guard let left = chunkRemaining, !buffer.isEmpty else { return out }
            let take = min(left, buffer.count)
            out += buffer[..<take]
            buffer.removeFirst(take)
            if take == left {
                chunkRemaining = nil
                awaitingChunkCRLF = true
            } else {
                chunkRemaining = left - take
            }
        }
    }

    private func find(_ pattern: [UInt8]) -> Int? {
        guard buffer.count >= pattern.count else { return nil }
        for i in 0...(buffer.count - pattern.count) where buffer[i..<(i + pattern.count)].elementsEqual(pattern) { return i }
        return nil
    }
}
