import Hummingbird
import NIOCore

/// Hummingbird's basic context plus the request's connection, so a route can learn when its
/// client goes away.
public struct WorkerRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let channel: (any Channel)?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}
