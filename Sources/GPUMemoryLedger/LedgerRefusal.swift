/// Why a ledger would not reserve, with the numbers a caller needs to decide what to try next.
public enum LedgerRefusal: Error, Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The request was zero or negative.
    case invalidSize(requestedMiB: Int)
    /// The owner already holds a reservation on this GPU; one owner, one reservation.
    case duplicateOwner(LedgerOwner)
    /// The request can never fit this ledger, even empty: `maximumBlockMiB` is the largest single block it can ever
    /// hand out (the virtual capacity, or for buddy the largest block that fits in it).
    case exceedsCapacity(requestedMiB: Int, grantedMiB: Int, maximumBlockMiB: Int)
    /// The request could fit an emptier ledger but not this one now. When `freeMiB` covers the granted size the
    /// problem is fragmentation, not volume (see ``isFragmentation``).
    case insufficientMemory(requestedMiB: Int, grantedMiB: Int, freeMiB: Int, largestFreeBlockMiB: Int)

    /// Enough memory is free in total but split into blocks too small, so defragmenting or a release nearby helps.
    public var isFragmentation: Bool {
        if case .insufficientMemory(_, let granted, let free, _) = self {
            return free >= granted
        }
        return false
    }

    public var description: String {
        switch self {
        case .invalidSize(let requested):
            return "invalid size: \(requested) MiB requested; a reservation needs at least 1 MiB"
        case .duplicateOwner(let owner):
            return
                "duplicate owner: \(owner) already holds a reservation on this GPU; release it before reserving again"
        case .exceedsCapacity(let requested, let granted, let maximum):
            return "too large: \(requested) MiB requested (\(granted) MiB after rounding) but this GPU can hand out "
                + "at most \(maximum) MiB in one block; use a larger GPU or a higher overcommit ratio"
        case .insufficientMemory(let requested, let granted, let free, let largest):
            if free >= granted {
                return "fragmented: \(free) MiB free but the largest block is \(largest) MiB and \(granted) MiB is "
                    + "needed (\(requested) MiB requested); defragment or wait for a release"
            }
            return "insufficient memory: \(granted) MiB needed (\(requested) MiB requested) but only \(free) MiB "
                + "free; wait for a release or place the job on another GPU"
        }
    }
}
