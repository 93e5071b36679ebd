import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Writes the answers an `EventLoopAnswering` has ready straight back from the event loop, and passes every other
/// request on to the router, on one connection.
///
/// Answers leave in the order their requests came (HTTP/1.1 pipelining): while a request passed to the router is not
/// answered yet, later requests follow it there. A request asking to close the connection goes to the router too, which
/// closes it after the answer. Once the server is shutting down, everything goes to the router, which closes the
/// connection after the request it is on.
final class EventLoopAnswerHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let answers: any EventLoopAnswering
    private let serverName: String?
    /// The peer's address, as the router's request context names it, read once per connection.
    private var clientAddress: String?
    /// Requests passed to the router whose answers have not been written yet.
    private var routed = 0
    /// The answer to the request being read: its body, if any, is dropped and the answer written at its end.
    private var ready: ReadyAnswer?
    private var unflushed = false
    private var shuttingDown = false
    /// A shutdown notice held back while a ready answer waits for its request's end, so the connection is not closed
    /// under it.
    private var heldNotice: Any?

    init(answers: any EventLoopAnswering, serverName: String?) {
        self.answers = answers
        self.serverName = serverName
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request):
            if routed == 0, !shuttingDown, !request.headerFields.contains(.connection),
                let answer = answers.answer(request, clientAddress: address(of: context.channel))
            {
                ready = answer
                return
            }
            routed += 1
            context.fireChannelRead(data)
        case .body:
            if ready == nil { context.fireChannelRead(data) }
        case .end:
            guard var answer = ready else {
                context.fireChannelRead(data)
                return
            }
            ready = nil
            answer.head.headerFields[.date] = HTTPDate.now
            if let serverName { answer.head.headerFields[.server] = serverName }
            context.write(wrapOutboundOut(.head(answer.head)), promise: nil)
            context.write(wrapOutboundOut(.body(answer.body)), promise: nil)
            context.write(wrapOutboundOut(.end(nil)), promise: nil)
            unflushed = true
            if let notice = heldNotice {
                heldNotice = nil
                flush(context)
                context.fireUserInboundEventTriggered(notice)
            }
        }
    }

    /// Answers written during one read go out in one flush.
    func channelReadComplete(context: ChannelHandlerContext) {
        flush(context)
        context.fireChannelReadComplete()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { routed -= 1 }
        context.write(data, promise: promise)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ChannelShouldQuiesceEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        shuttingDown = true
        if ready != nil {
            heldNotice = event
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    private func flush(_ context: ChannelHandlerContext) {
        guard unflushed else { return }
        unflushed = false
        context.flush()
    }

    private func address(of channel: any Channel) -> String {
        if let clientAddress { return clientAddress }
        let address = channel.remoteAddress?.ipAddress ?? "unknown"
        clientAddress = address
        return address
    }
}
