import Foundation
import ServeCore

/// Messages from request handlers to the step loop. The loop drains them between steps, so all
/// scheduler and KV state stays owned by one thread.
enum EngineMessage: Sendable {
    case submit(LiveRequestSeed, admitted: @Sendable (ServiceError?) -> Void)
    case cancel(RequestID)
    case wake
    case stop
}

/// A lock + condition queue: `post` never blocks for long; `drain` waits up to `timeout` when empty.
final class EngineInbox: @unchecked Sendable {
    // @unchecked Sendable: `messages` is only touched while `condition` is locked.
    private let condition = NSCondition()
    private var messages: [EngineMessage] = []

    func post(_ message: EngineMessage) {
        condition.lock()
        messages.append(message)
        condition.signal()
        condition.unlock()
    }

    func drain(waitingUpTo timeout: Double) -> [EngineMessage] {
        condition.lock()
        defer { condition.unlock() }
        if messages.isEmpty && timeout > 0 {
            _ = condition.wait(until: Date(timeIntervalSinceNow: timeout))
        }
        let drained = messages
        messages.removeAll(keepingCapacity: true)
        return drained
    }
}

/// What a handler hands the loop for one request.
struct LiveRequestSeed: Sendable {
    let request: GenerationRequest
    let continuation: AsyncThrowingStream<GenerationEvent, any Error>.Continuation
    let arrivedAt: Double
}
