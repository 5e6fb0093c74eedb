import Engine
import ServeCore

/// One generated token as the HTTP layer formats it.
struct TokenPiece: Sendable, Equatable {
    var id: TokenID
    var text: String
    var logprob: Float?
    var top: [TokenLogprob]
}

/// Consumes the engine streams of one HTTP request's choices, each on its own task, and merges
/// their events into `items`. `cancel()` cancels those tasks; a task cancelled while awaiting the
/// engine stream terminates it, which is how the engine learns the client went away (it frees the
/// request's KV blocks and slot). Dropping the fan-in cancels too.
final class GenerationFanIn: Sendable {
    enum Item: Sendable {
        case token(choice: Int, TokenPiece)
        case finished(choice: Int, reason: FinishReason, promptTokens: Int, completionTokens: Int)
        case failed(choice: Int, any Error)
    }

    let items: AsyncStream<Item>
    let choiceCount: Int
    private let tasks: [Task<Void, Never>]

    /// `onAllEnded` runs once every stream has ended (finished, failed or cancelled); the server
    /// releases its admission slots there, so slots cannot leak whatever the client does.
    init(streams: [AsyncThrowingStream<GenerationEvent, any Error>], onAllEnded: @escaping @Sendable () -> Void) {
        let (items, continuation) = AsyncStream<Item>.makeStream()
        var tasks: [Task<Void, Never>] = []
        for (choice, stream) in streams.enumerated() {
            tasks.append(Task {
                var finished = false
                do {
                    for try await event in stream {
                        switch event {
                        case let .token(id, text, logprob, top):
                            continuation.yield(.token(choice: choice, TokenPiece(id: id, text: text, logprob: logprob, top: top)))
                        case let .finished(reason, prompt, completion):
                            finished = true
                            continuation.yield(.finished(choice: choice, reason: reason, promptTokens: prompt, completionTokens: completion))
                        }
                    }
                    if !finished, !Task.isCancelled {
                        let error = ServiceError.internalError("the engine ended the stream without a finish event")
                        continuation.yield(.failed(choice: choice, error))
                    }
                } catch {
                    if !Task.isCancelled { continuation.yield(.failed(choice: choice, error)) }
                }
            })
        }
        let all = tasks
        Task {
            for task in all { await task.value }
            onAllEnded()
            continuation.finish()
        }
        self.items = items
        self.tasks = tasks
        self.choiceCount = streams.count
    }

    func cancel() {
        for task in tasks { task.cancel() }
    }

    deinit {
        for task in tasks { task.cancel() }
    }
}
