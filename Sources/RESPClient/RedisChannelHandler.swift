import Logging
import NIOCore

/// Matches replies to commands. Redis answers every connection's commands strictly in order, so pipelining needs no
/// request IDs: a FIFO of pending batches is enough. Once anything goes wrong (timeout, I/O error, bytes that are not
/// RESP) no later reply can be trusted to belong to the command at the head of the queue, so every pending command
/// is failed and the connection is closed and never reused.
final class RedisChannelHandler: ChannelDuplexHandler {
    typealias InboundIn = RESPValue
    typealias OutboundIn = RedisRequest
    typealias OutboundOut = ByteBuffer

    private struct PendingBatch {
        var id: UInt64
        var promise: EventLoopPromise<[RESPValue]>
        var remaining: Int
        var timer: Scheduled<Void>
        var timeout: Duration
        var label: String
    }

    private let endpoint: RedisEndpoint
    private let flags: ConnectionFlags
    private let logger: Logger
    private var pending = CircularBuffer<PendingBatch>()
    /// Replies received so far for the batch at the head of `pending`.
    private var headReplies: [RESPValue] = []
    private var nextID: UInt64 = 0
    private var failure: RedisError?

    init(endpoint: RedisEndpoint, flags: ConnectionFlags, logger: Logger) {
        self.endpoint = endpoint
        self.flags = flags
        self.logger = logger
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        if let failure {
            request.promise.fail(failure)
            promise?.fail(failure)
            return
        }
        let id = nextID
        nextID += 1
        let timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: request.deadline) {
            self.timeoutFired(batchID: id, context: context)
        }
        pending.append(
            PendingBatch(
                id: id,
                promise: request.promise,
                remaining: request.count,
                timer: timer,
                timeout: request.timeout,
                label: request.label
            )
        )
        context.write(wrapOutboundOut(request.payload), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let value = unwrapInboundIn(data)
        if case .push = value {
            // RESP3 out-of-band data (e.g. client-side caching invalidations) answers no command.
            logger.debug("ignoring RESP3 push message", metadata: [RedisLogKey.endpoint: "\(endpoint)"])
            return
        }
        guard !pending.isEmpty else {
            fail(
                context: context,
                error: .connectionClosed(endpoint: endpoint, reason: "reply without a command: \(value)"))
            return
        }
        headReplies.append(value)
        pending[pending.startIndex].remaining -= 1
        if pending[pending.startIndex].remaining == 0 {
            let batch = pending.removeFirst()
            batch.timer.cancel()
            let replies = headReplies
            headReplies = []
            batch.promise.succeed(replies)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        let reason = flags.isClosing ? "the client closed the connection" : "the server closed the connection"
        failAll(error: .connectionClosed(endpoint: endpoint, reason: reason))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let redisError: RedisError =
            if let decoding = error as? RESPDecodingError {
                .protocolError(endpoint: endpoint, decoding)
            } else {
                .connectionClosed(endpoint: endpoint, reason: "\(error)")
            }
        logger.warning(
            "redis connection failed",
            metadata: [RedisLogKey.endpoint: "\(endpoint)", RedisLogKey.error: "\(redisError)"]
        )
        fail(context: context, error: redisError)
    }

    private func timeoutFired(batchID: UInt64, context: ChannelHandlerContext) {
        guard let head = pending.first, head.id <= batchID else { return }  // already answered
        let timedOut = pending.first { $0.id == batchID }
        let label = timedOut?.label ?? "command"
        logger.warning(
            "redis command timed out; closing the connection",
            metadata: [RedisLogKey.endpoint: "\(endpoint)", RedisLogKey.command: "\(label)"]
        )
        failAll { batch in
            batch.id <= batchID
                ? .timeout(command: batch.label, after: batch.timeout, endpoint: self.endpoint)
                : .connectionClosed(endpoint: self.endpoint, reason: "closed because \(label) timed out before it")
        }
        context.close(promise: nil)
    }

    private func fail(context: ChannelHandlerContext, error: RedisError) {
        failAll(error: error)
        context.close(promise: nil)
    }

    private func failAll(error: RedisError) {
        failAll { _ in error }
    }

    private func failAll(_ errorFor: (PendingBatch) -> RedisError) {
        flags.markBroken()
        while let batch = pending.popFirst() {
            batch.timer.cancel()
            batch.promise.fail(errorFor(batch))
        }
        if failure == nil { failure = .connectionClosed(endpoint: endpoint, reason: "the connection is closed") }
        headReplies = []
    }
}
