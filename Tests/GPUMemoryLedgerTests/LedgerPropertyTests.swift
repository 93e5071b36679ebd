import Foundation
import GPUMemoryLedger
import PropertyBased
import TestThreads
import Testing

@Suite("Ledger properties", .cpuBound)
struct LedgerPropertyTests {
    @Test(arguments: AllocationStrategy.allCases)
    func randomOperationSequencesKeepTheLedgerConsistent(strategy: AllocationStrategy) async {
        await propertyCheck(
            count: 150, input: LedgerScenario.generator(for: strategy), LedgerStep.sequences(of: 1...120)
        ) { scenario, steps in
            checkSequence(steps, on: scenario)
        }
    }

    @Test(arguments: AllocationStrategy.allCases)
    func frequentDefragmentationKeepsActiveReservationsInPlace(strategy: AllocationStrategy) async {
        await propertyCheck(
            count: 100, input: LedgerScenario.generator(for: strategy),
            LedgerStep.sequences(of: 20...150, defragmentWeight: 4)
        ) { scenario, steps in
            checkSequence(steps, on: scenario)
        }
    }

    /// Runs `steps` against a fresh ledger and a model of what it should hold, checking every invariant after every
    /// step, then releases everything and checks the ledger is whole again. Stops at the first failing step so the
    /// report names it.
    private func checkSequence(_ steps: [LedgerStep], on scenario: LedgerScenario) {
        var ledger = GPUMemoryLedger(capacityMiB: scenario.capacityMiB, configuration: scenario.configuration)
        var model = LedgerModel()

        for (index, step) in steps.enumerated() {
            var problems = model.apply(step, to: &ledger)
            problems += invariantViolations(of: ledger)
            problems += model.mismatches(with: ledger)
            guard problems.isEmpty else {
                Issue.record("after step \(index) \(step) on \(scenario):\n\(problems.joined(separator: "\n"))")
                return
            }
        }

        do {
            let decoded = try JSONDecoder().decode(GPUMemoryLedger.self, from: JSONEncoder().encode(ledger))
            #expect(decoded == ledger, "JSON round trip changed the ledger on \(scenario)")
        } catch {
            Issue.record("JSON round trip failed on \(scenario): \(error)")
        }

        for owner in model.reservations.keys.sorted() {
            let released = ledger.release(owner)
            #expect(released == model.reservations[owner], "release(\(owner)) returned \(String(describing: released))")
        }
        let whole = ledger.virtualCapacityMiB > 0 ? [FreeRange(offsetMiB: 0, sizeMiB: ledger.virtualCapacityMiB)] : []
        #expect(ledger.freeRanges == whole, "releasing everything left \(ledger.freeRanges) on \(scenario)")
        #expect(ledger.reservedMiB == 0)
        #expect(ledger.largestFreeBlockMiB == ledger.maximumBlockMiB)
        #expect(ledger.fragmentation == 0 || scenario.configuration.strategy == .buddy)
    }
}

/// What the ledger should hold, kept independently: exactly the reservations reserve returned, updated by
/// activations and by the moves defragment reports.
struct LedgerModel {
    var reservations: [LedgerOwner: MemoryReservation] = [:]

    /// Applies `step` to `ledger` and to the model; returns anything the ledger did that it should not have.
    mutating func apply(_ step: LedgerStep, to ledger: inout GPUMemoryLedger) -> [String] {
        switch step {
        case .reserve(let sizeMiB, let ownerIndex, let active):
            return reserve(sizeMiB, for: LedgerStep.owner(ownerIndex), active: active, on: &ledger)
        case .release(let ownerIndex):
            let owner = LedgerStep.owner(ownerIndex)
            let released = ledger.release(owner)
            let expected = reservations.removeValue(forKey: owner)
            return released == expected
                ? [] : ["release returned \(String(describing: released)), not \(String(describing: expected))"]
        case .activate(let ownerIndex):
            let owner = LedgerStep.owner(ownerIndex)
            let activated = ledger.activate(owner)
            reservations[owner]?.state = .active
            return activated == (reservations[owner] != nil) ? [] : ["activate returned \(activated)"]
        case .defragment:
            return defragment(&ledger)
        case .probe(let sizeMiB):
            var copy = ledger
            let canReserve = ledger.canReserve(sizeMiB)
            let reserved = (try? copy.reserve(sizeMiB, for: "probe-owner").get()) != nil
            return canReserve == reserved ? [] : ["canReserve(\(sizeMiB)) said \(canReserve), reserve \(reserved)"]
        }
    }

    private mutating func reserve(
        _ sizeMiB: Int, for owner: LedgerOwner, active: Bool, on ledger: inout GPUMemoryLedger
    ) -> [String] {
        let before = ledger
        let outcome = ledger.reserve(sizeMiB, for: owner, state: active ? .active : .pending)
        switch outcome {
        case .success(let reservation):
            reservations[owner] = reservation
            var problems: [String] = []
            if before.reservation(for: owner) != nil { problems.append("reserved twice for \(owner)") }
            if !before.canReserve(sizeMiB) { problems.append("canReserve(\(sizeMiB)) was false but reserve succeeded") }
            if reservation.requestedMiB != sizeMiB || reservation.owner != owner
                || reservation.state != (active ? .active : .pending)
            {
                problems.append("reserve returned \(reservation)")
            }
            if ledger.reservation(for: owner) != reservation { problems.append("the ledger holds another reservation") }
            return problems
        case .failure(let refusal):
            guard ledger.reservations == before.reservations, ledger.freeRanges == before.freeRanges else {
                return ["refusal \(refusal) changed the reservations"]
            }
            switch refusal {
            case .duplicateOwner:
                return reservations[owner] != nil ? [] : ["duplicateOwner for a new owner"]
            case .invalidSize:
                return sizeMiB <= 0 ? [] : ["invalidSize for \(sizeMiB)"]
            case .exceedsCapacity(_, let grantedMiB, let maximumBlockMiB):
                return grantedMiB > maximumBlockMiB && maximumBlockMiB == before.maximumBlockMiB
                    ? [] : ["wrong \(refusal)"]
            case .insufficientMemory(_, let grantedMiB, let freeMiB, let largestMiB):
                let isConsistent =
                    reservations[owner] == nil && grantedMiB > largestMiB && freeMiB == before.freeMiB
                    && largestMiB == before.largestFreeBlockMiB && !before.canReserve(sizeMiB)
                return isConsistent ? [] : ["wrong \(refusal)"]
            }
        }
    }

    private mutating func defragment(_ ledger: inout GPUMemoryLedger) -> [String] {
        let before = ledger
        let moves = ledger.defragment()
        var problems: [String] = []
        if ledger.largestFreeBlockMiB < before.largestFreeBlockMiB {
            problems.append(
                "largest free block shrank from \(before.largestFreeBlockMiB) to \(ledger.largestFreeBlockMiB)")
        }
        if moves.isEmpty && ledger.reservations != before.reservations {
            problems.append("reservations changed without moves")
        }
        for move in moves {
            guard let previous = reservations[move.owner] else {
                problems.append("moved unknown owner \(move.owner)")
                continue
            }
            if previous.state == .active { problems.append("moved active \(previous)") }
            if previous.offsetMiB != move.fromOffsetMiB || previous.sizeMiB != move.sizeMiB {
                problems.append("\(move) does not start from \(previous)")
            }
            reservations[move.owner]?.offsetMiB = move.toOffsetMiB
        }
        for reservation in before.reservations where reservation.state == .active {
            if ledger.reservation(for: reservation.owner) != reservation {
                problems.append("active \(reservation) changed")
            }
        }
        let ownersAndSizes = { (ledger: GPUMemoryLedger) in
            Dictionary(uniqueKeysWithValues: ledger.reservations.map { ($0.owner, $0.sizeMiB) })
        }
        if ownersAndSizes(ledger) != ownersAndSizes(before) { problems.append("owners or sizes changed") }
        return problems
    }

    /// Differences between the model and what the ledger holds.
    func mismatches(with ledger: GPUMemoryLedger) -> [String] {
        let held = Dictionary(uniqueKeysWithValues: ledger.reservations.map { ($0.owner, $0) })
        guard held != reservations else { return [] }
        let expected = reservations.values.sorted { $0.offsetMiB < $1.offsetMiB }
        return ["ledger holds \(ledger.reservations) but the model expects \(expected)"]
    }
}
