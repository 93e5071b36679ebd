import HTTPTypes
import NIOCore

/// Answers that are ready without waiting, given on the event loop that read the request.
///
/// Why: every request the router answers crosses from the event loop to a task and its answer crosses back, and at a
/// thousand connections on two cores those hand-offs, not the work, were most of a cached job read's cost.
public protocol EventLoopAnswering: Sendable {
    /// The answer to `request` if it is ready now, or nil to send the request to the router. Runs on an event loop:
    /// it must not block or wait.
    func answer(_ request: HTTPRequest, clientAddress: String) -> ReadyAnswer?
}

/// A complete answer: its head and body. The server adds `Date` and `Server`, as it does to the router's answers.
public struct ReadyAnswer: Sendable {
    public var head: HTTPResponse
    public var body: ByteBuffer

    public init(head: HTTPResponse, body: ByteBuffer) {
        self.head = head
        self.body = body
    }
}
