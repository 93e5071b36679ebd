import Foundation
import GPUMemoryLedger
import SpoolCore

/// The fleet as one scheduling cycle sees it. A cycle reserves on its own copy; the store decides whether the
/// placements commit, and a refused commit means the snapshot was stale and the next cycle starts afresh.
public struct FleetSnapshot: Sendable, Equatable {
    public var workers: [WorkerSnapshot]
    public var takenAt: Date
    /// Worker indexes per pool, so a pinned job never scans other pools.
    public private(set) var workersByPool: [String: [Int]]
    public private(set) var workerIndex: [WorkerID: Int]
    /// How every GPU's ledger rounds requests, so a job's rounded size is worked out once, not per device.
    public let ledgerConfiguration: LedgerConfiguration

    public init(workers: [WorkerSnapshot], takenAt: Date, ledgerConfiguration: LedgerConfiguration = .default) {
        self.workers = workers
        self.ledgerConfiguration = ledgerConfiguration
        self.takenAt = takenAt
        var byPool: [String: [Int]] = [:]
        var byID: [WorkerID: Int] = [:]
        for (index, worker) in workers.enumerated() {
            byPool[worker.pool, default: []].append(index)
            byID[worker.id] = index
        }
        self.workersByPool = byPool
        self.workerIndex = byID
    }

    /// The index of `worker` in `workers`: `hint` when it is right, else found by the worker's ID.
    public func index(of worker: WorkerID, hint: Int?) -> Int? {
        if let hint, workers.indices.contains(hint), workers[hint].id == worker { return hint }
        return workerIndex[worker]
    }

    /// Gives back what a placement reserved (the job finished, was requeued, or its placement was withdrawn).
    /// Returns false when the worker or device is no longer in the snapshot.
    @discardableResult
    public mutating func release(_ job: JobID, placement: JobPlacement) -> Bool {
        guard let w = workerIndex[placement.worker] else { return false }
        return release(job, placement: placement, onWorkerAt: w)
    }

    /// The same for a caller that already knows where the placement's worker is in `workers` (the simulator keeps
    /// it for each running job, which spares a hash of the worker's ID for every finish of the day).
    @discardableResult
    public mutating func release(_ job: JobID, placement: JobPlacement, onWorkerAt w: Int) -> Bool {
        precondition(workers[w].id == placement.worker, "the index must be that of the placement's worker")
        return release(job, gpu: placement.gpu, demand: placement.demand, onWorkerAt: w)
    }

    /// `release(_:placement:onWorkerAt:)` for a caller that kept only what a release reads of the placement (its
    /// GPU and demand) beside the index of its worker, which it must keep right: the simulator ends millions of
    /// jobs, and reading each one's whole placement back cost more than the release.
    @discardableResult
    public mutating func release(_ job: JobID, gpu: Int?, demand: ResourceDemand, onWorkerAt w: Int) -> Bool {
        workers[w].assigned = max(0, workers[w].assigned - demand.slots)
        workers[w].hostEncoderSessions?.inUse -= demand.encoderSessions
        let device =
            gpu.flatMap { gpu in workers[w].devices.firstIndex { $0.gpuIndex == gpu } }
            ?? workers[w].devices.firstIndex { $0.kind != .gpu }
        guard let d = device else { return false }
        workers[w].devices[d].releaseMemory(LedgerOwner(rawValue: job.rawValue))
        workers[w].devices[d].encoderSessions.inUse -= demand.encoderSessions
        workers[w].devices[d].decoderSessions.inUse -= demand.decoderSessions
        return true
    }

    /// Marks a placed job's reservation as backing a running process, so defragmentation never moves it.
    public mutating func activate(_ job: JobID, placement: JobPlacement) {
        guard let w = workerIndex[placement.worker], let gpu = placement.gpu,
            let d = workers[w].devices.firstIndex(where: { $0.gpuIndex == gpu })
        else { return }
        workers[w].devices[d].activateMemory(LedgerOwner(rawValue: job.rawValue))
    }

    public var deviceCount: Int { workers.reduce(0) { $0 + $1.devices.count } }
}
