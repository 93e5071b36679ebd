/// Counters a ledger keeps about its own use, for metrics and for deciding when to defragment.
public struct LedgerStatistics: Codable, Sendable, Equatable {
    /// Reserves that succeeded.
    public var reservations: Int = 0
    /// Reserves that were refused, for any reason.
    public var refusals: Int = 0
    /// Refusals where enough memory was free in total but no single block held the request.
    public var fragmentedRefusals: Int = 0
    /// Reserves served by a free block of exactly the granted size, so nothing was split and no sliver was left.
    public var poolHits: Int = 0
    public var releases: Int = 0
    /// Calls to defragment that moved at least one reservation.
    public var defragmentations: Int = 0
    /// Reservations moved by all defragmentations together.
    public var movedReservations: Int = 0

    public init() {}

    /// Pool hits as a share of successful reserves; 0 before the first reserve.
    public var poolHitRate: Double {
        reservations == 0 ? 0 : Double(poolHits) / Double(reservations)
    }
}
