/// What the simulator keeps for each job of the day between its arrival and its last finish, in one record: a start,
/// a finish and every step a job waits read several of these fields together, and kept in separate arrays of
/// fourteen million they cost a cache miss each. The attempt number and held slot are stored in 32 bits, which keeps
/// the record at 24 bytes; a value past 2^31 stops the run (a checked conversion) rather than wrapping.
struct SimulatedJobState {
    /// When it last entered the queue (its arrival, a retry or a requeue), in seconds of the day.
    var enqueuedAt = 0.0
    /// Its attempt number: an attempt of an older number ended when its job was requeued.
    private var attemptNumber: Int32 = 0
    /// Its entry among the held jobs while an attempt runs; -1 while it holds nothing.
    private var heldEntry: Int32 = -1
    /// Whether a degradation made it encode faster (its outputs unchanged).
    var encodesFaster = false

    var attempt: Int {
        get { Int(attemptNumber) }
        set { attemptNumber = Int32(newValue) }
    }

    /// Its slot among the held jobs, or -1.
    var heldSlot: Int {
        get { Int(heldEntry) }
        set { heldEntry = Int32(newValue) }
    }
}
