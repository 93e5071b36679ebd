import GPUMemoryLedger

/// Everything that must hold for any ledger after any sequence of operations; returns what does not.
func invariantViolations(of ledger: GPUMemoryLedger) -> [String] {
    var violations: [String] = []
    let virtualMiB = ledger.virtualCapacityMiB
    let configuration = ledger.configuration

    if virtualMiB != Int(Double(ledger.capacityMiB) * configuration.overcommitRatio) {
        violations.append("virtual capacity \(virtualMiB) is not capacity × ratio")
    }
    let sumOfSizes = ledger.reservations.reduce(0) { $0 + $1.sizeMiB }
    if ledger.reservedMiB != sumOfSizes {
        violations.append("reservedMiB \(ledger.reservedMiB) but reservations add up to \(sumOfSizes)")
    }
    if ledger.reservedMiB > virtualMiB {
        violations.append("reserved \(ledger.reservedMiB) MiB exceeds the virtual capacity \(virtualMiB) MiB")
    }
    if ledger.freeMiB + ledger.reservedMiB != virtualMiB {
        violations.append("free \(ledger.freeMiB) + reserved \(ledger.reservedMiB) != \(virtualMiB)")
    }
    if Set(ledger.reservations.map(\.owner)).count != ledger.reservations.count {
        violations.append("an owner holds two reservations")
    }

    for reservation in ledger.reservations {
        if reservation.offsetMiB < 0 || reservation.endMiB > virtualMiB || reservation.sizeMiB <= 0 {
            violations.append("\(reservation) lies outside [0, \(virtualMiB))")
        }
        if reservation.sizeMiB != ledger.grantedSize(forRequest: reservation.requestedMiB) {
            violations.append("\(reservation) was not granted grantedSize(forRequest:)")
        }
        if configuration.strategy == .buddy {
            let minimumBlocks = reservation.sizeMiB / configuration.buddyMinimumBlockMiB
            let isPowerOfTwoMultiple =
                reservation.sizeMiB % configuration.buddyMinimumBlockMiB == 0
                && minimumBlocks & (minimumBlocks - 1) == 0
            if !isPowerOfTwoMultiple || reservation.offsetMiB % reservation.sizeMiB != 0 {
                violations.append("\(reservation) is not an aligned buddy block")
            }
        }
    }

    // Reservations and free ranges, both sorted by offset, must tile [0, virtual capacity) exactly.
    let freeRanges = ledger.freeRanges
    for (earlier, later) in zip(freeRanges, freeRanges.dropFirst()) where earlier.endMiB >= later.offsetMiB {
        violations.append("free ranges \(earlier) and \(later) touch or overlap")
    }
    let pieces =
        (ledger.reservations.map { ($0.offsetMiB, $0.sizeMiB) } + freeRanges.map { ($0.offsetMiB, $0.sizeMiB) })
        .sorted { $0.0 < $1.0 }
    var cursorMiB = 0
    for (offsetMiB, sizeMiB) in pieces {
        if offsetMiB != cursorMiB || sizeMiB <= 0 {
            violations.append("memory at \(cursorMiB) MiB is neither reserved nor free exactly once")
            break
        }
        cursorMiB += sizeMiB
    }
    if cursorMiB != virtualMiB && violations.isEmpty {
        violations.append("reservations and free ranges end at \(cursorMiB), not \(virtualMiB)")
    }

    let largestRangeMiB = freeRanges.map(\.sizeMiB).max() ?? 0
    if configuration.strategy == .buddy {
        if ledger.largestFreeBlockMiB > largestRangeMiB {
            violations.append("largest buddy block \(ledger.largestFreeBlockMiB) exceeds every free range")
        }
    } else if ledger.largestFreeBlockMiB != largestRangeMiB {
        violations.append(
            "largestFreeBlockMiB \(ledger.largestFreeBlockMiB) but the largest range is \(largestRangeMiB)")
    }
    if !(0...1).contains(ledger.fragmentation) {
        violations.append("fragmentation \(ledger.fragmentation) outside 0...1")
    }
    return violations
}
