import Foundation

/// Batch work planned into the forecast: the quietest interval ahead, and how many job slots its forecast load leaves
/// free in the capacity the pool already has. Batch jobs past their deferral may wait for it, up to the latest start
/// that keeps their SLO, instead of buying capacity now that the trough would have given them; the ones it has no
/// room for count at once.
public struct BatchTrough: Sendable, Equatable {
    /// When the quietest interval begins, and the load the forecast expects in it.
    public let start: Date
    public let load: Double
    /// Job slots the interval leaves free: `slots` less its load, never below 0.
    public let room: Int

    /// The quietest of `forecasts` (one per interval, in time order; the earliest among equals); nil when empty.
    public init?(forecasts: [(start: Date, load: Double)], slots: Double) {
        guard let quietest = forecasts.min(by: { $0.load < $1.load }) else { return nil }
        start = quietest.start
        load = quietest.load
        room = max(0, Int((slots - quietest.load).rounded(.down)))
    }
}
