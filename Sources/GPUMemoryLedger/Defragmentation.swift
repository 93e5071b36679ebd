extension GPUMemoryLedger {
    /// Re-plans where pending reservations sit so that the largest free block grows, and returns what moved.
    ///
    /// Pending reservations have no driver memory behind them yet, so moving them is only bookkeeping; active
    /// reservations never move. The planner tries a few layouts (each pending one compacted within its stretch
    /// between active ones; and, for every stretch that could become the big free block, the others packed
    /// largest-first into the remaining stretches) and keeps the one with the largest free block. When no layout
    /// beats the current one nothing changes and the result is empty.
    public mutating func defragment() -> [LedgerMove] {
        guard reservations.contains(where: { $0.state == .pending }) else { return [] }
        let candidates = buddyArena.map { buddyRepackingCandidates(in: $0) } ?? fitRepackingCandidates()

        var best: (reservations: [MemoryReservation], freeBlocks: [FreeRange], largestFreeBlockMiB: Int)?
        for candidate in candidates {
            let planned = candidate.sorted { $0.offsetMiB < $1.offsetMiB }
            guard let plannedFreeBlocks = freeBlocks(around: planned) else { continue }
            let plannedLargestMiB = plannedFreeBlocks.lazy.map(\.sizeMiB).max() ?? 0
            if plannedLargestMiB > best?.largestFreeBlockMiB ?? largestFreeBlockMiB {
                best = (planned, plannedFreeBlocks, plannedLargestMiB)
            }
        }
        guard let best else { return [] }

        var previousOffsets: [LedgerOwner: Int] = [:]
        for reservation in reservations {
            previousOffsets[reservation.owner] = reservation.offsetMiB
        }
        let moves = best.reservations.compactMap { reservation -> LedgerMove? in
            guard let previousOffsetMiB = previousOffsets[reservation.owner],
                previousOffsetMiB != reservation.offsetMiB
            else { return nil }
            return LedgerMove(
                owner: reservation.owner, fromOffsetMiB: previousOffsetMiB, toOffsetMiB: reservation.offsetMiB,
                sizeMiB: reservation.sizeMiB)
        }
        reservations = best.reservations
        freeBlocks = best.freeBlocks
        largestFreeBlockMiB = best.largestFreeBlockMiB
        statistics.defragmentations += 1
        statistics.movedReservations += moves.count
        return moves
    }

    /// Layouts for first, best and worst fit. Active reservations cut the ledger into stretches; pending ones can go
    /// anywhere inside a stretch, and a stretch's free space is one block once its pending ones sit packed together.
    private func fitRepackingCandidates() -> [[MemoryReservation]] {
        let active = reservations.filter { $0.state == .active }
        let pending = reservations.filter { $0.state == .pending }
        let stretches = FitPlacement.gaps(between: active, virtualCapacityMiB: virtualCapacityMiB)

        func layout(_ assignment: [[MemoryReservation]]) -> [MemoryReservation] {
            var planned = active
            for (stretch, members) in zip(stretches, assignment) {
                var cursorMiB = stretch.offsetMiB
                for var member in members {
                    member.offsetMiB = cursorMiB
                    cursorMiB += member.sizeMiB
                    planned.append(member)
                }
            }
            return planned
        }

        // The cheapest layout: every pending reservation stays in its stretch, slid towards the stretch's start.
        var compactedInPlace = Array(repeating: [MemoryReservation](), count: stretches.count)
        for reservation in pending {
            compactedInPlace[stretches.firstIndex(atOrAfterOffset: reservation.offsetMiB + 1) - 1].append(reservation)
        }
        var candidates = [layout(compactedInPlace)]

        let largestFirst = pending.sorted { ($0.sizeMiB, $1.offsetMiB) > ($1.sizeMiB, $0.offsetMiB) }
        for target in stretches.indices where stretches[target].sizeMiB > largestFreeBlockMiB {
            var assignment = Array(repeating: [MemoryReservation](), count: stretches.count)
            var roomMiB = stretches.map(\.sizeMiB)
            for reservation in largestFirst {
                // Best fit decreasing into the other stretches; whatever fits nowhere else stays in the target.
                var chosen = target
                for stretch in stretches.indices where stretch != target && roomMiB[stretch] >= reservation.sizeMiB {
                    if chosen == target || roomMiB[stretch] < roomMiB[chosen] { chosen = stretch }
                }
                roomMiB[chosen] -= reservation.sizeMiB
                assignment[chosen].append(reservation)
            }
            if roomMiB[target] >= 0 {
                candidates.append(layout(assignment))
            }
        }
        return candidates
    }

    /// Layouts for buddy: the active blocks stay, and the pending ones are handed out again largest first, once
    /// packed towards low offsets and once towards high ones. Largest first with power-of-two sizes leaves no holes
    /// between them.
    private func buddyRepackingCandidates(in arena: BuddyArena) -> [[MemoryReservation]] {
        let active = reservations.filter { $0.state == .active }
        guard let freeAroundActive = arena.freeBlocks(around: active) else { return [] }
        let largestFirst = reservations.filter { $0.state == .pending }
            .sorted { ($0.sizeMiB, $1.offsetMiB) > ($1.sizeMiB, $0.offsetMiB) }
        return [false, true].compactMap { prefersHighOffsets in
            var blocks = freeAroundActive
            var planned = active
            for var reservation in largestFirst {
                guard
                    let placement = arena.allocate(
                        reservation.sizeMiB, in: &blocks, prefersHighOffsets: prefersHighOffsets)
                else { return nil }
                reservation.offsetMiB = placement.offsetMiB
                planned.append(reservation)
            }
            return planned
        }
    }
}
