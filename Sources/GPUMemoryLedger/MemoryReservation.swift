/// One owner's share of a GPU's memory, at a virtual offset in the ledger.
public struct MemoryReservation: Codable, Sendable, Equatable, Hashable {
    public var owner: LedgerOwner
    /// Virtual: it only keeps reservations apart in the ledger and says nothing about driver addresses.
    public var offsetMiB: Int
    /// What the ledger granted after size-class and buddy rounding; this is what counts as reserved.
    public var sizeMiB: Int
    /// What the caller asked for.
    public var requestedMiB: Int
    public var state: ReservationState

    public init(owner: LedgerOwner, offsetMiB: Int, sizeMiB: Int, requestedMiB: Int, state: ReservationState) {
        self.owner = owner
        self.offsetMiB = offsetMiB
        self.sizeMiB = sizeMiB
        self.requestedMiB = requestedMiB
        self.state = state
    }

    /// The first MiB after this reservation.
    public var endMiB: Int { offsetMiB + sizeMiB }
}
