import NIOCore

/// One write to the server: a batch of encoded commands whose replies come back, in order, through `promise`.
struct RedisRequest: Sendable {
    var payload: ByteBuffer
    var count: Int
    var promise: EventLoopPromise<[RESPValue]>
    var deadline: NIODeadline
    var timeout: Duration
    /// For error messages: `GET`, or `pipeline of 3 commands (SET, INCR, …)`.
    var label: String
}
