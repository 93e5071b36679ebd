import Foundation
import SpoolCore
import SpoolDispatch
import TestThreads
import Testing

@testable import SpoolSimulation

/// The simulator's own bookkeeping, each piece against the plain way it replaced.
@Suite(.cpuBound) struct BookkeepingTests {
    /// Events pop by time, ties in push order, interleaved with pushes as a run interleaves them: the same order as
    /// sorting every event by (time, push number). Pops come between bucket edges as well as on them, and pushes
    /// land in buckets already reached (due at once), in later ones and far beyond the calendar's horizon.
    @Test(arguments: [1.0, 3.0, 15.0, 0.7])
    func theCalendarPopsByTimeThenPushOrder(bucketSeconds: Double) {
        var random = SplitMix64(seed: 3)
        var heap = TickCalendar<Int>(bucketSeconds: bucketSeconds)
        var pending: [(time: Double, order: Int)] = []
        var popped: [Int] = []
        var expected: [Int] = []
        var now = 0.0
        for order in 0..<5_000 {
            // Whole seconds, so that many events share a time.
            var time = now + Double(random.index(weightedBy: Array(repeating: 1.0, count: 50)))
            if order % 501 == 0 { time = now + 1e8 + Double(order % 3) }
            if order % 333 == 0 { time = now - 2 }
            heap.push(order, at: time)
            pending.append((time, order))
            if order % 7 == 0 {
                now += 3
                while let event = heap.pop(dueBy: now) { popped.append(event.payload) }
                let due = pending.filter { $0.time <= now }.sorted { ($0.time, $0.order) < ($1.time, $1.order) }
                expected += due.map(\.order)
                pending.removeAll { $0.time <= now }
            }
        }
        while let event = heap.pop(dueBy: .infinity) { popped.append(event.payload) }
        expected += pending.sorted { ($0.time, $0.order) < ($1.time, $1.order) }.map(\.order)
        #expect(popped == expected)
        #expect(popped.count == 5_000)
        #expect(heap.isEmpty)
    }

    /// The radix sort of waits gives what `sorted()` gives: on waits as the simulator has them (many equal, most
    /// small), on any finite doubles, and (through `sorted()` itself) with NaN or a negative zero among them.
    @Test func waitsSortAsSortedDoes() {
        var random = SplitMix64(seed: 17)
        func unit() -> Double { Double(random.next() >> 11) / Double(1 << 53) }
        let waits = (0..<50_000).map { _ in (unit() * 40).rounded() * 15 + (unit() < 0.3 ? unit() * 7 : 0) }
        let wide = (0..<20_000).map { _ in (unit() - 0.5) * pow(10, unit() * 40 - 20) }
        let edges = [
            0.0, .infinity, -.infinity, .greatestFiniteMagnitude, -.leastNonzeroMagnitude, .leastNormalMagnitude / 3, 5,
            5,
        ]
        for values in [waits, wide, wide + edges + wide, Array(waits.prefix(900)), [], [3.0], waits + [-0.0]] {
            let expected = values.sorted()
            let sorted = WaitSorting.sorted(values)
            #expect(sorted.map(\.bitPattern) == expected.map(\.bitPattern), "\(values.count) values")
        }
        let withNaN = WaitSorting.sorted(waits + [.nan])
        #expect(withNaN.count == waits.count + 1 && withNaN.filter(\.isNaN).count == 1)
    }

    /// Marks come back once each, in the order first marked, and are gone once taken.
    @Test func workerMarksComeBackOnceEachAndClear() {
        var marks = WorkerMarks(workers: 6)
        for worker in [4, 1, 4, 0, 1, 5] { marks.mark(worker) }
        #expect(marks.take() == [4, 1, 0, 5])
        #expect(marks.take() == [])
        marks.mark(1)
        marks.mark(1)
        #expect(marks.take() == [1])
    }

    /// A run in arrival order with later jobs after it comes out as a stable sort by arrival would put it.
    @Test func jobsComeInArrivalOrderTiesAsGiven() {
        var random = SplitMix64(seed: 9)
        func job(_ seconds: Double, _ tenant: String) -> SimulatedJob {
            SimulatedJob(
                arrivalSeconds: seconds, tenant: tenant, serviceClass: .standard, kind: 0,
                durations: SmallWorkloads.fiveMinutes)
        }
        let run = (0..<300).map { job(Double($0 / 3), "run-\($0)") }
        let later = (0..<200).map {
            job(Double(random.index(weightedBy: Array(repeating: 1.0, count: 120))), "late-\($0)")
        }
        for jobs in [run + later, later + run, run, later, [], [job(5, "one")]] {
            let stable = jobs.enumerated().sorted {
                ($0.element.arrivalSeconds, $0.offset) < ($1.element.arrivalSeconds, $1.offset)
            }.map(\.element)
            var ordered = jobs
            Workload.putInArrivalOrder(&ordered)
            #expect(ordered == stable)
        }
    }

    /// The room reserved for a generated day holds it (the array is never grown by doubling), and is not wildly
    /// more than it needs.
    @Test(arguments: [(86_400.0, 1_500.0, 4), (86_400.0, 6_000.0, 0), (3_600.0, 800.0, 4), (5_000.0, 300.0, 30)])
    func aGeneratedDayFitsTheRoomReservedForIt(duration: Double, peak: Double, bursts: Int) {
        let day = DiurnalWorkload(durationSeconds: duration, peakConcurrency: peak, burstsPerDay: bursts)
        for seed in UInt64(1)...3 {
            let count = day.generate(seed: seed).jobs.count
            #expect(count <= day.expectedJobs)
            #expect(Double(day.expectedJobs) < Double(count) * 1.1 + 2_048)
        }
    }

    /// A job's index comes back from its ID, and an ID the simulator never gave is no index.
    @Test func jobIDsReadBackToTheirIndex() {
        let ids = SimulatedJobIDs(count: 1_234)
        for index in [0, 1, 9, 10, 99, 100, 1_233] {
            #expect(ids[index] == JobID(rawValue: "j\(index)"))
            #expect(ids.index(of: ids[index]) == index)
        }
        for other in ["j1234", "j", "", "x1", "j01", "j00", "j-1", "j1a", "J1", "j99999999999999999999999"] {
            #expect(ids.index(of: JobID(rawValue: other)) == nil, "\(other)")
        }
    }

    /// A job's state starts as "queued at 0, first attempt, holding nothing", and keeps the attempt numbers and held
    /// slots a fleet-scale day reaches, in one record of at most 24 bytes (it exists to be one cache read).
    @Test func aJobStateKeepsWhatItIsGiven() {
        var state = SimulatedJobState()
        #expect(state.heldSlot == -1)
        #expect(state.attempt == 0)
        #expect(!state.encodesFaster)
        #expect(state.enqueuedAt == 0)
        state.heldSlot = 8_000_000
        state.attempt = 70_000
        state.enqueuedAt = 86_399.5
        state.encodesFaster = true
        #expect(state.heldSlot == 8_000_000)
        #expect(state.attempt == 70_000)
        #expect(state.enqueuedAt == 86_399.5)
        #expect(state.encodesFaster)
        state.heldSlot = -1
        #expect(state.heldSlot == -1)
        #expect(MemoryLayout<SimulatedJobState>.stride <= 24)
    }
}
