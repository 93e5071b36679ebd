import Foundation
import GPUMemoryLedger
import SpoolCore

/// Builds a cycle's snapshot from what the store holds: live workers with their devices, and the jobs that hold
/// resources (running, or placed and not yet claimed). The ledger is bookkeeping, so it is rebuilt each cycle from
/// those jobs' recorded reservations; nothing is lost when a scheduler restarts or another takes over.
public struct FleetSnapshotBuilder: Sendable {
    public var ledger: LedgerConfiguration
    public var sessions: VideoSessionBudget
    /// Share of each GPU's memory never reserved, for the driver and for estimates that fall short.
    public var memoryHeadroom: Double

    public init(
        ledger: LedgerConfiguration = .default, sessions: VideoSessionBudget = .default, memoryHeadroom: Double = 0.05
    ) {
        self.ledger = ledger
        self.sessions = sessions
        self.memoryHeadroom = memoryHeadroom
    }

    /// - Parameters:
    ///   - workers: live workers (the caller leaves out those whose heartbeat is too old).
    ///   - holding: jobs that hold resources: running ones, and queued ones with a placement. A running job past its
    ///     transcode (validating and committing; its ffmpeg has exited) holds nothing here, so its worker's next job
    ///     can start while it finishes.
    public func snapshot(workers: [WorkerRecord], holding jobs: [Job], now: Date) -> FleetSnapshot {
        var byWorker: [WorkerID: [(job: Job, placement: JobPlacement)]] = [:]
        for job in jobs {
            guard let placement = job.placement, job.state == .running || job.state == .queued, !job.isPastTranscode
            else { continue }
            byWorker[placement.worker, default: []].append((job, placement))
        }
        let snapshots = workers.map { record in
            worker(
                record, holding: (byWorker[record.id] ?? []).sorted { $0.placement.placedAt < $1.placement.placedAt })
        }
        return FleetSnapshot(workers: snapshots, takenAt: now, ledgerConfiguration: ledger)
    }

    func worker(_ record: WorkerRecord, holding: [(job: Job, placement: JobPlacement)]) -> WorkerSnapshot {
        var devices: [DeviceSnapshot] = []
        var consumerCap: Int?
        // Only GPU pools hand out the host's GPUs. A worker's inventory lists every GPU of its host, so a `cpu` or
        // `opencl` worker beside a `cuda` one (as `spool serve` runs them) would otherwise offer the same GPUs a
        // second time, each copy with a ledger and session count of its own, and overcommit them.
        let offersGPUs = record.poolKind == .cuda || record.poolKind == .hybrid
        for gpu in offersGPUs ? record.devices?.gpus ?? [] : [] {
            devices.append(device(gpu, fenced: record.fencedGPUs[gpu.index], holding: holding))
            if let cap = gpu.engines.sessionLimit { consumerCap = min(consumerCap ?? cap, cap) }
        }
        // Workers of CPU-capable pools also offer their host, for jobs that encode there.
        let cores = record.devices?.cpuCores ?? 1
        let host = GPUPerformance(
            fp32TFLOPS: Double(cores) * 0.05, memoryBandwidthGBps: 50, boardPowerW: Double(cores) * 10)
        switch record.poolKind {
        case .cpu, .hybrid:
            devices.append(DeviceSnapshot(kind: .cpu, gpuIndex: nil, model: "\(cores) cores", performance: host))
        case .opencl:
            let name = record.devices?.opencl.first?.name ?? "OpenCL"
            devices.append(DeviceSnapshot(kind: .opencl, gpuIndex: nil, model: name, performance: host))
        case .cuda:
            break
        }
        var hostSessions = consumerCap.map { SessionCount(capacity: $0) }
        for held in holding { hostSessions?.inUse += held.placement.demand.encoderSessions }
        return WorkerSnapshot(
            id: record.id, pool: record.pool, poolKind: record.poolKind, slots: record.slots, assigned: holding.count,
            acceptsUnpinned: record.acceptsUnpinned, accepting: !record.draining, devices: devices,
            hostEncoderSessions: hostSessions, cachedInputs: Set(record.cachedInputs))
    }

    func device(_ gpu: GPUDevice, fenced: String?, holding: [(job: Job, placement: JobPlacement)]) -> DeviceSnapshot {
        let mine = holding.filter { $0.placement.gpu == gpu.index }
        let reservedByUs = mine.reduce(0) { $0 + $1.placement.demand.gpuMemoryMiB }
        // Memory in use that Spool did not reserve belongs to someone else and is not ours to hand out.
        let foreign = max(0, gpu.memoryUsedMiB - reservedByUs)
        let capacity = max(0, Int(Double(gpu.memoryTotalMiB) * (1 - memoryHeadroom)) - foreign)
        var ledger = GPUMemoryLedger(capacityMiB: capacity, configuration: self.ledger)
        var encoders = SessionCount(capacity: sessions.encoderSessions(gpu.engines))
        var decoders = SessionCount(capacity: sessions.decoderSessions(gpu.engines))
        for held in mine {
            let state: ReservationState = held.job.state == .running ? .active : .pending
            _ = ledger.reserve(
                held.placement.demand.gpuMemoryMiB, for: LedgerOwner(rawValue: held.job.id.rawValue), state: state)
            encoders.inUse += held.placement.demand.encoderSessions
            decoders.inUse += held.placement.demand.decoderSessions
        }
        // Placed jobs not yet started hold no real memory, so their ranges may be re-planned around the running ones
        // to leave the largest free block for the next job; running jobs never move.
        if ledger.fragmentation > 0 { _ = ledger.defragment() }
        return DeviceSnapshot(
            kind: .gpu, gpuIndex: gpu.index, model: gpu.name, engines: gpu.engines,
            performance: GPUModelCatalog.performance(forModel: gpu.name), memory: ledger, encoderSessions: encoders,
            decoderSessions: decoders, utilization: gpu.utilizationPercent.map { $0 / 100 },
            temperatureC: gpu.temperatureC, powerDrawW: gpu.powerDrawW, powerLimitW: gpu.powerLimitW,
            fencedReason: fenced)
    }
}
