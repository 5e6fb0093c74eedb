import NIOCore

/// Sits in each HTTP/1 connection's pipeline and closes the connection's watch when the client
/// half-closes (Hummingbird allows remote half-closure, so a client that hangs up shows up as
/// `inputClosed` long before a write fails) or the channel goes inactive.
final class ConnectionCloseHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let registry: ConnectionRegistry
    private let watch = ConnectionWatch()
    private var key: ObjectIdentifier?

    init(registry: ConnectionRegistry) {
        self.registry = registry
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let key = ObjectIdentifier(context.channel)
        self.key = key
        registry.add(key, watch)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        if let key { registry.remove(key) }
        watch.close()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed { watch.close() }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        watch.close()
        context.fireChannelInactive()
    }
}
