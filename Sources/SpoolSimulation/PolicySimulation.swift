import Foundation
import GPUMemoryLedger
import SpoolAutoscaling
import SpoolCore
import SpoolDispatch
import SpoolScheduling

/// One policy's run over a workload in virtual time. Each tick: finished jobs release what they held, retries and
/// arrivals join the queue, booted workers join the fleet, spot workers may be taken back, the real scheduling
/// cycle places queued jobs on the fleet snapshot (kept across ticks, changed only when workers come and go), and
/// the autoscaler evaluates the pool and its decision is carried out.
///
/// Times are measured on the tick grid: a job arriving between ticks waits for the next one, as it would for a
/// scheduler cycling at that interval, and a job finishing between ticks frees its slot at the next.
struct PolicySimulation {
    /// Midnight UTC, so forecast intervals and seasons line up with the workload's day.
    static let epoch = Date(timeIntervalSince1970: 1_700_006_400)

    private struct Worker {
        var id: String
        var startedAt: Double
        var spot: Bool
        var running: [Int] = []
        var draining = false
    }

    private struct BootingWorker {
        var id: String
        var requestedAt: Double
        var readyAt: Double
        var spot: Bool
    }

    private struct Attempt {
        var job: Int
        var number: Int
        var startedAt: Double
        /// Set when the attempt fails in an outage: when its retry re-enters the queue.
        var retryAt: Double?
    }

    let workload: Workload
    let fleetSettings: FleetSettings
    let settings: SimulationSettings
    let policy: ScalingPolicy

    private let shapes: [WorkloadShape]
    private let jobIDs: [JobID]
    private let workerTemplate: WorkerSnapshot
    private var fleet: FleetSnapshot
    private var workers: [Worker] = []
    private var booting: [BootingWorker] = []
    private var planner: PlacementPlanner
    /// What running attempts hold, for the planner's view; `heldSlot` finds a job's entry.
    private var held: [HeldJob] = []
    /// By job index (-1: holds nothing), and the job index of each entry of `held`: arrays, not dictionaries, since
    /// every start and finish of millions of jobs goes through them.
    private var heldSlot: [Int]
    private var heldJobs: [Int] = []
    private let jobIndex: [JobID: Int]
    private var encodesFaster: [Bool]
    private var preemptions = 0
    private var degradations = 0
    private var autoscaler: Autoscaler?
    private var random: SplitMix64
    private var queue = JobQueue()
    private var running = TimedHeap<Attempt>()
    private var retries = TimedHeap<Int>()
    private var attemptNumbers: [Int]
    private var placements: [JobPlacement?]
    private var enqueuedAt: [Double]
    private var nextArrival = 0
    private var nextWorkerNumber = 0
    private var inFlight = 0
    private var lastSpotInterruption: Double?
    /// When spot workers were interrupted, oldest first, as far back as the cost settings' backoff reaches.
    private var spotInterruptionTimes: [Double] = []
    /// Run times of recently completed jobs, for the autoscaler's response-time signal.
    private var recentRunTimes: [(finishedAt: Double, seconds: Double)] = []
    private var recentRunTimesHead = 0

    /// When set, every placement is logged (job index, tick, attempt), so checks can follow individual jobs.
    var logsPlacements = false
    private(set) var placementLog: [(job: Int, at: Double, attempt: Int)] = []

    private var waits: [Double] = []
    private var waitClasses: [ServiceClass] = []
    private var violations = SLOViolations()
    private var completed = 0
    private var failedAttempts = 0
    private var requeuedBySpot = 0
    private var spotInterruptions = 0
    private var scaleEvents = 0
    private var busyGPUSeconds = 0.0
    private var paidGPUSeconds = 0.0
    private var spotGPUSeconds = 0.0
    private var cost = 0.0
    private var peakWorkers = 0
    private var timeline: [TimelinePoint] = []
    private var bucket = 0
    private var bucketLoad = 0
    private var bucketWaits: [Double] = []

    /// - Parameter offeredLoad: the workload's load per forecast interval, for the opening fleet and the forecast.
    init(
        workload: Workload, fleet fleetSettings: FleetSettings, settings: SimulationSettings, policy: ScalingPolicy,
        offeredLoad: OfferedLoad
    ) throws(SchedulerConfigurationError) {
        self.workload = workload
        self.fleetSettings = fleetSettings
        self.settings = settings
        self.policy = policy
        shapes = workload.kinds.map { kind in
            WorkloadShape(
                spec: JobSpec(
                    input: .file(path: "/simulated"), outputs: Presets.named(kind.preset)?.outputs ?? [],
                    preset: kind.preset, acceleration: kind.acceleration))
        }
        jobIDs = workload.jobs.indices.map { JobID(rawValue: "j\($0)") }
        attemptNumbers = Array(repeating: 0, count: workload.jobs.count)
        heldSlot = Array(repeating: -1, count: workload.jobs.count)
        placements = Array(repeating: nil, count: workload.jobs.count)
        enqueuedAt = Array(repeating: 0, count: workload.jobs.count)
        workerTemplate = Self.template(fleetSettings)
        fleet = FleetSnapshot(workers: [], takenAt: Self.epoch)
        planner = try SimulatedPlacement.makePlanner(
            profile: fleetSettings.sharing == .wholeGPU ? Self.wholeGPUProfile : settings.schedulingProfile,
            dispatch: settings.dispatch, seed: settings.seed,
            cyclesPerStep: SimulatedPlacement.cycles(inStepOf: settings.tickSeconds))
        jobIndex = Dictionary(uniqueKeysWithValues: jobIDs.enumerated().map { ($1, $0) })
        encodesFaster = Array(repeating: false, count: workload.jobs.count)
        random = SplitMix64(seed: settings.seed ^ 0x5151_ABCD_0000_0001)

        let meanJobSeconds =
            workload.jobs.isEmpty
            ? 60 : workload.jobs.reduce(0) { $0 + $1.durations.nvencSeconds } / Double(workload.jobs.count)
        waitingPage = Self.waitingPage(fleetSettings, tickSeconds: settings.tickSeconds, meanJobSeconds: meanJobSeconds)
        if let autoscalerPolicy = policy.autoscalerPolicy(
            fleet: fleetSettings, settings: settings, meanJobSeconds: meanJobSeconds)
        {
            autoscaler = Autoscaler(
                policy: autoscalerPolicy,
                loadHistory: autoscalerPolicy.predictive == nil ? [] : Self.history(offeredLoad, settings: settings))
        }
        let initial: Int
        switch policy {
        case .fixed(let count):
            initial = count
        default:
            let perWorker = Double(fleetSettings.slotsPerWorker) * fleetSettings.targetUtilisation
            let opening = offeredLoad.meanConcurrency.first ?? 0
            initial = min(
                max(
                    fleetSettings.initialWorkers ?? Int((opening / max(perWorker, 1e-9)).rounded(.up)),
                    fleetSettings.minWorkers),
                fleetSettings.maxWorkers)
        }
        // The opening fleet is bought the way the policy buys: spot where the cost judgement would choose it.
        let openOnSpot =
            autoscaler?.policy.cost.map { $0.serviceClass.allowsSpot && $0.catalog.cheapestPerSlot(spot: true) != nil }
            ?? false
        var started: [BootingWorker] = []
        for _ in 0..<initial {
            started.append(BootingWorker(id: newWorkerID(), requestedAt: 0, readyAt: 0, spot: openOnSpot))
        }
        addWorkers(started, at: 0)
    }

    /// Two seasons of the workload's own offered load (`load` is sampled at the forecast interval), as if the days
    /// before had looked the same; without it the forecast needs two simulated days before it knows the season.
    private static func history(_ load: OfferedLoad, settings: SimulationSettings) -> [Double] {
        let season = settings.forecastSeasonLength
        let day = (0..<season).map { $0 < load.meanConcurrency.count ? load.meanConcurrency[$0] : 0 }
        return day + day
    }

    /// With whole GPUs every free GPU is as good as any other, as for the device plugin: the first free one found,
    /// searching on from where the last search stopped, so a large fleet is not scanned from the start each time.
    static let wholeGPUProfile = SchedulingProfile(name: "whole_gpu", weights: [:], sampling: .feasible(limit: 1))

    static func template(_ settings: FleetSettings) -> WorkerSnapshot {
        let gpus = (0..<settings.gpusPerWorker).map { index in
            GPUDevice(
                index: index, uuid: "GPU-simulated-\(index)", name: settings.gpuModel,
                memoryTotalMiB: settings.gpuMemoryMiB, memoryUsedMiB: 0, utilizationPercent: 0, temperatureC: 40,
                engines: GPUModelCatalog.engines(forModel: settings.gpuModel))
        }
        let ffmpeg = FFmpegCapabilities(
            ffmpegVersion: "7.1", ffprobeVersion: "7.1", encoders: ["libx264", "libx265", "h264_nvenc", "hevc_nvenc"],
            filters: ["scale_cuda"], hwaccels: ["cuda"])
        let record = WorkerRecord(
            id: WorkerID(rawValue: "template"), pool: "gpu", poolKind: .cuda, host: "template", pid: 1,
            slots: settings.slotsPerWorker,
            devices: DeviceInventory(
                host: "template", cpuCores: settings.cpuCores, ffmpeg: ffmpeg, opencl: [], gpus: gpus),
            startedAt: epoch, heartbeatAt: epoch)
        return FleetSnapshotBuilder().snapshot(workers: [record], holding: [], now: epoch).workers[0]
    }

    // MARK: - Running

    mutating func run() -> PolicyReport {
        let tick = settings.tickSeconds
        let hardStop = workload.durationSeconds + settings.drainAllowanceSeconds
        var now = 0.0
        while true {
            step(at: now)
            account(at: now, tick: tick)
            let finished =
                nextArrival == workload.jobs.count && retries.isEmpty && queue.isEmpty && inFlight == 0
            if (now >= workload.durationSeconds && finished) || now >= hardStop { break }
            now += tick
        }
        flushBucket()
        let hours = (now + tick) / 3_600
        let gpuHours = paidGPUSeconds / 3_600
        return PolicyReport(
            policy: policy.name, sharing: fleetSettings.sharing, jobsArrived: workload.jobs.count,
            jobsCompleted: completed, jobsUnfinished: workload.jobs.count - completed, failedAttempts: failedAttempts,
            requeuedBySpot: requeuedBySpot, queueWait: WaitPercentiles(waits: waits),
            waitsByClass: ClassWaits(waits: waits, classes: waitClasses), sloViolations: violations,
            utilisation: paidGPUSeconds > 0 ? busyGPUSeconds / paidGPUSeconds : 0, gpuHours: gpuHours,
            spotShare: paidGPUSeconds > 0 ? spotGPUSeconds / paidGPUSeconds : 0, cost: cost,
            jobsPerGPUHour: gpuHours > 0 ? Double(completed) / gpuHours : 0, scaleEvents: scaleEvents,
            spotInterruptions: spotInterruptions, preemptions: preemptions, degradations: degradations,
            peakWorkers: peakWorkers, hours: hours, timeline: timeline)
    }

    private mutating func step(at now: Double) {
        finishAttempts(dueBy: now)
        while let retry = retries.pop(dueBy: now) { enqueue(retry.payload, at: retry.time) }
        let ready = booting.filter { $0.readyAt <= now }
        if !ready.isEmpty {
            booting.removeAll { $0.readyAt <= now }
            addWorkers(ready, at: now)
        }
        interruptSpotWorkers(at: now)
        while nextArrival < workload.jobs.count, workload.jobs[nextArrival].arrivalSeconds <= now {
            enqueue(nextArrival, at: workload.jobs[nextArrival].arrivalSeconds)
            nextArrival += 1
        }
        placeQueuedJobs(at: now)
        evaluateAutoscaler(at: now)
        removeDrainedWorkers(at: now)
    }

    private mutating func enqueue(_ job: Int, at time: Double) {
        enqueuedAt[job] = time
        queue.append(job, serviceClass: workload.jobs[job].serviceClass)
    }

    // MARK: - Placement

    /// Waiting jobs one step hands the planner, best first: what the store returns to the placement service (its
    /// `waiting_limit`, 1000 by default).
    static let minimumWaitingPage = 1000

    /// The page grows with the fleet: at least twice the jobs the whole fleet can start in one tick at the
    /// workload's mean job length. A fixed page of 1000 let a fleet of ten thousand workers start no more than 1000
    /// jobs a tick while twice that many finished, so the queue grew for want of reading it, not of room.
    static func waitingPage(_ fleet: FleetSettings, tickSeconds: Double, meanJobSeconds: Double) -> Int {
        let turnover = Double(fleet.maxWorkers * fleet.slotsPerWorker) * tickSeconds / max(meanJobSeconds, 1)
        return max(minimumWaitingPage, Int((2 * turnover).rounded(.up)))
    }

    private let waitingPage: Int

    /// One step of the real planner over the virtual fleet: its placements start attempts, its preemptions requeue
    /// running attempts (no failure counted), its degradations mark jobs to encode faster (the same outputs).
    private mutating func placeQueuedJobs(at now: Double) {
        guard !queue.isEmpty else { return }
        let date = Self.epoch.addingTimeInterval(now)
        let waiting = queue.first(waitingPage).map { queuedJob($0) }
        // The view lives only for the call: were it still holding `held` when `start` appends to it, the array of
        // every running job would be copied each step.
        let plan = planner.plan(PlacementView(now: date, waiting: waiting, holding: held), fleet: &fleet)
        var placed: Set<Int> = []
        for commit in plan.placements {
            guard let job = jobIndex[commit.job] else { continue }
            placed.insert(job)
            start(job, on: commit.placement, at: now)
        }
        queue.remove(placed)
        for preemption in plan.preemptions {
            guard let victim = jobIndex[preemption.victim], placements[victim] != nil else { continue }
            release(victim)
            attemptNumbers[victim] += 1
            preemptions += 1
            enqueue(victim, at: now)
        }
        for degradation in plan.degradations {
            guard let job = jobIndex[degradation.job] else { continue }
            // The simulated pool is one; a move to a pool it lacks was never planned. Faster encoding keeps the
            // job's modelled duration: the simulator counts degradations, it does not credit their speed-up.
            if degradation.degradation.encoderSpeed == .faster { encodesFaster[job] = true }
            degradations += 1
        }
    }

    private func queuedJob(_ job: Int) -> QueuedJob {
        let simulated = workload.jobs[job]
        let kind = workload.kinds[simulated.kind]
        return QueuedJob(
            id: jobIDs[job], version: attemptNumbers[job], tenant: TenantID(rawValue: simulated.tenant),
            serviceClass: simulated.serviceClass, priority: 50, pool: nil, acceleration: kind.acceleration,
            preset: kind.preset, shape: shapes[simulated.kind], input: "",
            createdAt: Self.epoch.addingTimeInterval(
                enqueuedAt[job]), encoderSpeed: encodesFaster[job] ? .faster : .standard)
    }

    private mutating func start(_ job: Int, on placement: JobPlacement, at now: Double) {
        let simulated = workload.jobs[job]
        let seconds = simulated.durations.seconds(
            onGPU: placement.path.usesGPU,
            holdsEncoderSessions: placement.path == .nvenc || shapes[simulated.kind].videoEncodes == 0)
        var end = now + seconds
        var retryAt: Double?
        if let failure = workload.failure(start: now, end: end) {
            end = failure.seconds
            retryAt = max(end, failure.outage.endSeconds) + random.unit() * failure.outage.retrySpreadSeconds
        }
        running.push(Attempt(job: job, number: attemptNumbers[job], startedAt: now, retryAt: retryAt), at: end)
        placements[job] = placement
        heldSlot[job] = held.count
        heldJobs.append(job)
        held.append(
            HeldJob(
                id: jobIDs[job], tenant: TenantID(rawValue: simulated.tenant), serviceClass: simulated.serviceClass,
                priority: 50, placement: placement, isRunning: true, startedAt: Self.epoch.addingTimeInterval(now)))
        if let index = fleet.workerIndex[placement.worker] { workers[index].running.append(job) }
        inFlight += 1
        if logsPlacements { placementLog.append((job, now, attemptNumbers[job])) }
        let wait = now - enqueuedAt[job]
        waits.append(wait)
        waitClasses.append(simulated.serviceClass)
        bucketWaits.append(wait)
        if wait > settings.sloTargets.seconds(for: simulated.serviceClass) {
            violations.record(simulated.serviceClass)
        }
    }

    private mutating func finishAttempts(dueBy now: Double) {
        while let due = running.pop(dueBy: now) {
            let attempt = due.payload
            // An attempt whose worker was taken away was already requeued under a newer number.
            guard attemptNumbers[attempt.job] == attempt.number else { continue }
            release(attempt.job)
            if let retryAt = attempt.retryAt {
                attemptNumbers[attempt.job] += 1
                failedAttempts += 1
                retries.push(attempt.job, at: retryAt)
            } else {
                completed += 1
                recentRunTimes.append((due.time, due.time - attempt.startedAt))
            }
        }
    }

    private mutating func release(_ job: Int) {
        guard let placement = placements[job] else { return }
        fleet.release(jobIDs[job], placement: placement)
        if let index = fleet.workerIndex[placement.worker], let slot = workers[index].running.firstIndex(of: job) {
            workers[index].running.remove(at: slot)
        }
        placements[job] = nil
        let slot = heldSlot[job]
        if slot >= 0 {
            heldSlot[job] = -1
            // Swap-remove keeps release O(1) and the order deterministic.
            let last = held.removeLast()
            let lastJob = heldJobs.removeLast()
            if slot < held.count {
                held[slot] = last
                heldJobs[slot] = lastJob
                heldSlot[lastJob] = slot
            }
        }
        inFlight -= 1
    }

    // MARK: - Fleet changes

    private mutating func newWorkerID() -> String {
        defer { nextWorkerNumber += 1 }
        return "w\(nextWorkerNumber)"
    }

    private mutating func addWorkers(_ added: [BootingWorker], at now: Double) {
        var snapshots = fleet.workers
        for worker in added {
            var snapshot = workerTemplate
            snapshot.id = WorkerID(rawValue: worker.id)
            snapshots.append(snapshot)
            workers.append(Worker(id: worker.id, startedAt: worker.requestedAt, spot: worker.spot))
        }
        rebuildFleet(snapshots, at: now)
    }

    private mutating func removeWorkers(at indexes: Set<Int>, at now: Double) {
        guard !indexes.isEmpty else { return }
        let kept = workers.indices.filter { !indexes.contains($0) }
        let snapshots = kept.map { fleet.workers[$0] }
        workers = kept.map { workers[$0] }
        rebuildFleet(snapshots, at: now)
    }

    /// The snapshot keeps its workers' reservations; only its indexes are rebuilt, since workers came or went.
    private mutating func rebuildFleet(_ snapshots: [WorkerSnapshot], at now: Double) {
        fleet = FleetSnapshot(
            workers: snapshots, takenAt: Self.epoch.addingTimeInterval(now),
            ledgerConfiguration: fleet.ledgerConfiguration)
    }

    private mutating func interruptSpotWorkers(at now: Double) {
        let chance = fleetSettings.spotInterruptionsPerHour * settings.tickSeconds / 3_600
        guard chance > 0 else { return }
        var interrupted: Set<Int> = []
        for index in workers.indices where workers[index].spot && random.unit() < chance {
            interrupted.insert(index)
        }
        guard !interrupted.isEmpty else { return }
        for index in interrupted.sorted() {
            for job in workers[index].running {
                release(job)
                attemptNumbers[job] += 1
                requeuedBySpot += 1
                enqueue(job, at: now)
            }
        }
        spotInterruptions += interrupted.count
        lastSpotInterruption = now
        spotInterruptionTimes += Array(repeating: now, count: interrupted.count)
        removeWorkers(at: interrupted, at: now)
    }

    private mutating func removeDrainedWorkers(at now: Double) {
        let idle = Set(workers.indices.filter { workers[$0].draining && workers[$0].running.isEmpty })
        removeWorkers(at: idle, at: now)
    }

    // MARK: - Autoscaling

    private mutating func evaluateAutoscaler(at now: Double) {
        guard var autoscaler else { return }
        let date = Self.epoch.addingTimeInterval(now)
        let type = fleetSettings.instanceType
        let oldestWait = queue.oldestJobs.map { now - enqueuedAt[$0] }.max() ?? 0
        let oldestOther =
            [ServiceClass.realtime, .standard].compactMap { queue.oldest(of: $0) }
            .map { now - enqueuedAt[$0] }.max() ?? 0
        let backoff = autoscaler.policy.cost?.spotInterruptionBackoffSeconds ?? 0
        spotInterruptionTimes.removeAll { $0 <= now - backoff }
        let signals = PoolSignals(
            time: date, waiting: queue.count, inFlight: inFlight,
            busyWorkers: workers.reduce(0) { $0 + ($1.running.isEmpty ? 0 : 1) },
            readyWorkers: workers.count, bootingWorkers: booting.count, oldestWaitSeconds: oldestWait,
            responseTimeSeconds: recentResponseTime(at: now),
            lastSpotInterruption: lastSpotInterruption.map { Self.epoch.addingTimeInterval($0) },
            waitingBatch: queue.count(of: .batch),
            oldestBatchWaitSeconds: queue.oldest(of: .batch).map { now - enqueuedAt[$0] } ?? 0,
            oldestOtherWaitSeconds: oldestOther, recentSpotInterruptions: spotInterruptionTimes.count,
            spotWorkers: workers.reduce(0) { $0 + ($1.spot ? 1 : 0) } + booting.reduce(0) { $0 + ($1.spot ? 1 : 0) })
        let pool =
            workers.map {
                PoolWorker(
                    id: $0.id, runningJobs: $0.running.count, hourlyPrice: type.hourlyPrice(spot: $0.spot),
                    startedAt: Self.epoch.addingTimeInterval($0.startedAt))
            }
            + booting.map {
                PoolWorker(
                    id: $0.id, runningJobs: 0, hourlyPrice: type.hourlyPrice(spot: $0.spot),
                    startedAt: Self.epoch.addingTimeInterval($0.requestedAt))
            }
        let decision = autoscaler.evaluate(signals, workers: pool)
        self.autoscaler = autoscaler
        switch decision.action {
        case .none:
            break
        case .scaleUp(let count, _, let spot):
            scaleEvents += 1
            for _ in 0..<count {
                booting.append(
                    BootingWorker(id: newWorkerID(), requestedAt: now, readyAt: now + type.bootSeconds, spot: spot))
            }
        case .drain(let drained):
            scaleEvents += 1
            let names = Set(drained)
            booting.removeAll { names.contains($0.id) }
            for index in workers.indices where names.contains(workers[index].id) {
                workers[index].draining = true
                fleet.workers[index].accepting = false
            }
        }
    }

    /// Mean run time of the jobs completed in the last fifteen minutes; nil when none did.
    private mutating func recentResponseTime(at now: Double) -> Double? {
        while recentRunTimesHead < recentRunTimes.count, recentRunTimes[recentRunTimesHead].finishedAt < now - 900 {
            recentRunTimesHead += 1
        }
        if recentRunTimesHead > 4_096 {
            recentRunTimes.removeFirst(recentRunTimesHead)
            recentRunTimesHead = 0
        }
        let count = recentRunTimes.count - recentRunTimesHead
        guard count > 0 else { return nil }
        var total = 0.0
        for index in recentRunTimesHead..<recentRunTimes.count { total += recentRunTimes[index].seconds }
        return total / Double(count)
    }

    // MARK: - Accounting

    /// Charges the fleet as it stands after this tick for the tick's duration, and feeds the time series.
    private mutating func account(at now: Double, tick: Double) {
        let type = fleetSettings.instanceType
        let paid = workers.count + booting.count
        let spot = workers.reduce(0) { $0 + ($1.spot ? 1 : 0) } + booting.reduce(0) { $0 + ($1.spot ? 1 : 0) }
        // By index: iterating the values copies each device (and retains its ledger) every tick.
        var busyGPUs = 0
        for w in fleet.workers.indices {
            for d in fleet.workers[w].devices.indices
            where fleet.workers[w].devices[d].kind == .gpu && fleet.workers[w].devices[d].decoderSessions.inUse > 0 {
                busyGPUs += 1
            }
        }
        paidGPUSeconds += Double(paid * fleetSettings.gpusPerWorker) * tick
        spotGPUSeconds += Double(spot * fleetSettings.gpusPerWorker) * tick
        busyGPUSeconds += Double(busyGPUs) * tick
        cost +=
            (Double(paid - spot) * type.hourlyPrice(spot: false) + Double(spot) * type.hourlyPrice(spot: true))
            * tick / 3_600
        peakWorkers = max(peakWorkers, paid)

        let current = Int(now / settings.timelineBucketSeconds)
        if current != bucket { flushBucket() }
        bucket = current
        bucketLoad = max(bucketLoad, queue.count + inFlight)
        bucketWorkers = paid
    }

    private var bucketWorkers = 0

    private mutating func flushBucket() {
        let sorted = bucketWaits.sorted()
        timeline.append(
            TimelinePoint(
                minute: Double(bucket + 1) * settings.timelineBucketSeconds / 60, load: bucketLoad,
                workers: bucketWorkers, p95WaitSeconds: WaitPercentiles.percentile(sorted, 0.95)))
        bucketLoad = 0
        bucketWaits.removeAll(keepingCapacity: true)
    }
}
