/// A pool's decision log (or every pool's), newest first, as `GET /v1/pools/{name}/decisions` and
/// `GET /v1/autoscaler/decisions` answer.
public struct PoolEventList: Codable, Sendable {
    public var events: [PoolEvent]

    public init(events: [PoolEvent]) {
        self.events = events
    }
}
