// Only the facts are encoded (capacity, configuration, reservations, statistics); the free space is rebuilt on
// decoding, so a stored ledger cannot carry a free list that contradicts its reservations.
extension GPUMemoryLedger: Codable {
    private enum CodingKeys: String, CodingKey {
        case capacityMiB, configuration, reservations, statistics
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            capacityMiB: try container.decode(Int.self, forKey: .capacityMiB),
            configuration: try container.decode(LedgerConfiguration.self, forKey: .configuration))
        let decoded = try container.decode([MemoryReservation].self, forKey: .reservations)
            .sorted { $0.offsetMiB < $1.offsetMiB }
        if let problem = problem(with: decoded) {
            throw DecodingError.dataCorruptedError(
                forKey: .reservations, in: container, debugDescription: "GPU memory ledger: \(problem)")
        }
        guard let rebuiltFreeBlocks = freeBlocks(around: decoded) else {
            throw DecodingError.dataCorruptedError(
                forKey: .reservations, in: container,
                debugDescription: "GPU memory ledger: reservations are not valid buddy blocks")
        }
        reservations = decoded
        freeBlocks = rebuiltFreeBlocks
        reservedMiB = decoded.reduce(0) { $0 + $1.sizeMiB }
        recomputeLargestFreeBlock()
        statistics = try container.decodeIfPresent(LedgerStatistics.self, forKey: .statistics) ?? LedgerStatistics()
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(capacityMiB, forKey: .capacityMiB)
        try container.encode(configuration, forKey: .configuration)
        try container.encode(reservations, forKey: .reservations)
        try container.encode(statistics, forKey: .statistics)
    }

    /// What makes reservations sorted by offset impossible for this ledger, or nil when they are fine.
    private func problem(with sortedReservations: [MemoryReservation]) -> String? {
        var owners = Set<LedgerOwner>()
        var previousEndMiB = 0
        for reservation in sortedReservations {
            guard owners.insert(reservation.owner).inserted else {
                return "\(reservation.owner) holds more than one reservation"
            }
            guard reservation.sizeMiB > 0, reservation.requestedMiB > 0,
                reservation.requestedMiB <= reservation.sizeMiB
            else {
                return "\(reservation.owner) has size \(reservation.sizeMiB) MiB for a request of "
                    + "\(reservation.requestedMiB) MiB"
            }
            guard reservation.offsetMiB >= previousEndMiB else {
                return "\(reservation.owner) at \(reservation.offsetMiB) MiB overlaps the reservation before it"
            }
            guard reservation.endMiB <= virtualCapacityMiB else {
                return "\(reservation.owner) ends at \(reservation.endMiB) MiB, past the virtual capacity of "
                    + "\(virtualCapacityMiB) MiB"
            }
            if let buddyArena,
                !buddyArena.isValidBlock(offsetMiB: reservation.offsetMiB, sizeMiB: reservation.sizeMiB)
            {
                return "\(reservation.owner) at \(reservation.offsetMiB) MiB, \(reservation.sizeMiB) MiB is not a "
                    + "buddy block"
            }
            previousEndMiB = reservation.endMiB
        }
        return nil
    }
}
