/// Whether real GPU memory stands behind a reservation yet, which decides whether defragmentation may move it.
public enum ReservationState: String, Codable, Sendable, CaseIterable {
    /// The job is placed but has not started: no driver allocation exists, so the reservation's offset is only a
    /// plan and defragmentation may move it.
    case pending
    /// The job runs and the driver holds its memory: the reservation never moves.
    case active
}
