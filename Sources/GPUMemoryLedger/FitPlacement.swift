/// Free-range bookkeeping for first, best and worst fit: the free space is a list of maximal ranges sorted by
/// offset, with no two ranges touching.
enum FitPlacement {
    /// Which free range `strategy` takes for a granted size, or nil when none holds it.
    ///
    /// With `prefersExactSize` (a pooled request) a range of exactly the granted size wins whatever the strategy:
    /// reusing a freed block of the same class whole is the point of pooling, and it leaves no sliver behind.
    static func indexOfRange(
        toHold sizeMiB: Int, in ranges: [FreeRange], strategy: AllocationStrategy, prefersExactSize: Bool
    ) -> Int? {
        if prefersExactSize && strategy != .bestFit,
            let exact = ranges.firstIndex(where: { $0.sizeMiB == sizeMiB })
        {
            return exact
        }
        switch strategy {
        case .firstFit:
            return ranges.firstIndex { $0.sizeMiB >= sizeMiB }
        case .bestFit:
            var best: Int?
            for index in ranges.indices where ranges[index].sizeMiB >= sizeMiB {
                if ranges[index].sizeMiB == sizeMiB { return index }
                if best.map({ ranges[index].sizeMiB < ranges[$0].sizeMiB }) ?? true { best = index }
            }
            return best
        case .worstFit:
            var worst: Int?
            for index in ranges.indices where ranges[index].sizeMiB >= sizeMiB {
                if worst.map({ ranges[index].sizeMiB > ranges[$0].sizeMiB }) ?? true { worst = index }
            }
            return worst
        case .buddy:
            preconditionFailure("buddy reservations go through BuddyBlocks")
        }
    }

    /// Takes `sizeMiB` from the start of the range at `index` and returns the offset taken.
    static func take(_ sizeMiB: Int, fromRangeAt index: Int, in ranges: inout [FreeRange]) -> Int {
        let offsetMiB = ranges[index].offsetMiB
        if ranges[index].sizeMiB == sizeMiB {
            ranges.remove(at: index)
        } else {
            ranges[index].offsetMiB += sizeMiB
            ranges[index].sizeMiB -= sizeMiB
        }
        return offsetMiB
    }

    /// Returns a released range to the free list, merged with the free neighbours it touches; returns the merged range.
    @discardableResult
    static func giveBack(_ released: FreeRange, to ranges: inout [FreeRange]) -> FreeRange {
        var merged = released
        var index = ranges.firstIndex(atOrAfterOffset: released.offsetMiB)
        if index < ranges.count && ranges[index].offsetMiB == merged.endMiB {
            merged.sizeMiB += ranges[index].sizeMiB
            ranges.remove(at: index)
        }
        if index > 0 && ranges[index - 1].endMiB == merged.offsetMiB {
            index -= 1
            merged.offsetMiB = ranges[index].offsetMiB
            merged.sizeMiB += ranges[index].sizeMiB
            ranges[index] = merged
        } else {
            ranges.insert(merged, at: index)
        }
        return merged
    }

    /// The free ranges left between non-overlapping reservations sorted by offset.
    static func gaps(between reservations: [MemoryReservation], virtualCapacityMiB: Int) -> [FreeRange] {
        var gaps: [FreeRange] = []
        gaps.reserveCapacity(reservations.count + 1)
        var cursor = 0
        for reservation in reservations {
            if reservation.offsetMiB > cursor {
                gaps.append(FreeRange(offsetMiB: cursor, sizeMiB: reservation.offsetMiB - cursor))
            }
            cursor = max(cursor, reservation.endMiB)
        }
        if virtualCapacityMiB > cursor {
            gaps.append(FreeRange(offsetMiB: cursor, sizeMiB: virtualCapacityMiB - cursor))
        }
        return gaps
    }
}
