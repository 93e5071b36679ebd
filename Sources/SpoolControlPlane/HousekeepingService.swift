import Foundation
import Logging
import ServiceLifecycle
import SpoolCore

/// What a sweep of staged attempts and partial uploads did.
public struct SweepReport: Sendable, Equatable {
    public var killedProcesses = 0
    public var rolledForward = 0
    public var removedAttempts = 0
    public var removedUploads = 0

    public init() {}

    public var isEmpty: Bool { self == SweepReport() }
}

/// Sweeps attempts that can no longer commit (the worker's `AttemptJanitor` works on the data directory).
public protocol AttemptSweeping: Sendable {
    /// - Parameter staleUploadAge: partial uploads older than this are removed (nil: all of them).
    func sweep(staleUploadAge: TimeInterval?) async throws -> SweepReport
}

/// What one housekeeping pass did.
public struct HousekeepingReport: Sendable, Equatable {
    public var recovered: [Transition] = []
    public var forgotten: [WorkerID] = []
    public var sweep: SweepReport?

    public init() {}
}

/// Carries out the `Housekeeper`'s decisions against the store: the one place where leases are recovered, dead
/// workers forgotten and attempts swept. Runs a pass every `interval` while `leadership` holds a token (and at once
/// when it changes).
public struct HousekeepingService<C: Clock>: Service where C.Duration == Duration {
    let store: any HousekeepingStore
    let housekeeper: Housekeeper
    let sweeper: any AttemptSweeping
    let leadership: Leadership
    let interval: Duration
    let waitFirst: Bool
    let clock: C
    let logger: Logger
    let now: @Sendable () -> Date

    public init(
        store: any HousekeepingStore, housekeeper: Housekeeper, sweeper: any AttemptSweeping, leadership: Leadership,
        interval: Duration, waitFirst: Bool = false, clock: C, logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.now = now
        self.store = store
        self.housekeeper = housekeeper
        self.sweeper = sweeper
        self.leadership = leadership
        self.interval = interval
        self.waitFirst = waitFirst
        self.clock = clock
        self.logger = logger
    }

    public func run() async throws {
        await runPeriodically(
            every: interval, clock: clock, wakeUp: leadership.changes, waitFirst: waitFirst, logger: logger,
            failure: "housekeeping failed"
        ) {
            if leadership.current != nil { _ = try await pass(now: now()) }
            return .wait
        }
    }

    /// One pass: survey the registry, then carry out what the housekeeper decides, in order.
    public func pass(now: Date) async throws -> HousekeepingReport {
        let workers = housekeeper.readsWorkers ? try await store.workers() : []
        var pending = housekeeper.decide(.surveyed(workers: workers, now: now))
        var report = HousekeepingReport()
        while !pending.isEmpty {
            switch pending.removeFirst() {
            case .recoverLeases(let now, let dead):
                report.recovered = try await store.recoverLeases(now: now, deadWorkers: dead)
                pending += housekeeper.decide(.leasesRecovered(report.recovered))
            case .forgetWorker(let worker):
                try await store.removeWorker(worker)
                report.forgotten.append(worker)
                logger.notice("worker stopped heartbeating; removed", metadata: ["worker": "\(worker)"])
            case .sweepAttempts(let staleUploadAge):
                report.sweep = try await sweeper.sweep(staleUploadAge: staleUploadAge)
            }
        }
        for transition in report.recovered {
            logger.notice(
                "lease ended or its worker was lost; job requeued",
                metadata: ["job": "\(transition.job.id)", "state": "\(transition.job.state.rawValue)"])
        }
        return report
    }
}
