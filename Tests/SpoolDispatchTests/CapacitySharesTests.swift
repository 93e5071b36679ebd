import SpoolCore
import SpoolDispatch
import Testing

@Suite struct CapacitySharesTests {
    let shares = CapacityShares()

    @Test func reservationsRoundUpToWholeUnits() {
        #expect(shares.reservedUnits(for: .realtime, capacity: 10) == 2)
        #expect(shares.reservedUnits(for: .standard, capacity: 10) == 1)
        #expect(shares.reservedUnits(for: .batch, capacity: 10) == 0)
        #expect(shares.reservedUnits(for: .realtime, capacity: 3) == 1)
        #expect(shares.reservedUnits(for: .realtime, capacity: 0) == 0)
    }

    @Test func batchCannotTakeTheLastFifthWhileRealtimeWaits() {
        let usage = CapacityUsage(capacity: 10, running: [.batch: 8], waiting: [.realtime: 3, .batch: 50])
        let batch = shares.admission(of: .batch, usage: usage)
        #expect(!batch.isAdmitted)
        #expect(batch.reason.contains("2 for realtime"))
        #expect(shares.admission(of: .realtime, usage: usage).isAdmitted)
    }

    /// `admits` decides what `admission` decides, only without the words, for every usage up to a small pool.
    @Test func admitsAgreesWithAdmission() {
        for capacity in 0...12 {
            for running in 0...capacity {
                for waiting in 0...3 {
                    for serviceClass in ServiceClass.allCases {
                        let usage = CapacityUsage(
                            capacity: capacity,
                            running: [
                                .realtime: running / 3, .standard: running / 3, .batch: running - 2 * (running / 3),
                            ],
                            waiting: [.realtime: waiting, .standard: waiting / 2, .batch: 3 - waiting])
                        #expect(
                            shares.admits(serviceClass, usage: usage)
                                == shares.admission(of: serviceClass, usage: usage).isAdmitted)
                    }
                }
            }
        }
    }

    @Test func batchMayTakeUnreservedCapacity() {
        let usage = CapacityUsage(capacity: 10, running: [.batch: 7], waiting: [.realtime: 3, .batch: 50])
        #expect(shares.admission(of: .batch, usage: usage).isAdmitted)
    }

    @Test func eachReservationHoldsBackTheOthers() {
        var usage = CapacityUsage(capacity: 10, running: [.batch: 7], waiting: [.realtime: 2, .standard: 1])
        // 3 free: 2 held for realtime, 1 for standard.
        #expect(!shares.admission(of: .batch, usage: usage).isAdmitted)
        #expect(shares.admission(of: .standard, usage: usage).isAdmitted)
        usage.recordPlacement(of: .standard)
        #expect(!shares.admission(of: .standard, usage: usage).isAdmitted)
        #expect(shares.admission(of: .realtime, usage: usage).isAdmitted)
    }

    @Test func anIdleClassHoldsNothing() {
        let usage = CapacityUsage(capacity: 10, running: [.batch: 9], waiting: [.batch: 50])
        #expect(shares.admission(of: .batch, usage: usage).isAdmitted)
    }

    @Test func aFullPoolAdmitsNoOne() {
        let usage = CapacityUsage(capacity: 10, running: [.batch: 10], waiting: [.realtime: 1])
        let decision = shares.admission(of: .realtime, usage: usage)
        #expect(!decision.isAdmitted)
        #expect(decision.reason == "no free capacity (10 of 10 in use)")
    }

    @Test func placementsAndEvictionsMoveUnits() {
        var usage = CapacityUsage(capacity: 4, waiting: [.batch: 1])
        usage.recordPlacement(of: .batch)
        #expect(usage.running(.batch) == 1)
        #expect(usage.waiting(.batch) == 0)
        usage.recordEviction(of: .batch)
        #expect(usage.running(.batch) == 0)
        #expect(usage.waiting(.batch) == 1)
        #expect(usage.free == 4)
    }
}
