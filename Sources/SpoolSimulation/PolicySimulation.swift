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
/// A fleet spread over clouds (`CloudFleet`) is several pools, each with its own autoscaler and prices. Each tick
/// the production `PoolDemand.attribute` splits the waiting jobs among them (with the production `BatchRouting` for
/// every policy, priced as the policy buys) and each pool's autoscaler sees only its own share. As in the placement
/// service, a job whose input is costly to move is pinned to the pool where it costs least in all
/// (`PoolDemand.pinnedToInputCloud`); the rest run on any free slot. An attempt that reads its input from another
/// cloud pays that cloud's egress.
///
/// Times are measured on the tick grid: a job arriving between ticks waits for the next one, as it would for a
/// scheduler cycling at that interval, and a job finishing between ticks frees its slot at the next.
struct PolicySimulation {
    /// Midnight UTC, so forecast intervals and seasons line up with the workload's day.
    static let epoch = Date(timeIntervalSince1970: 1_700_006_400)

    private struct Worker {
        var id: String
        var pool: Int
        var startedAt: Double
        var spot: Bool
        /// How many attempts run on it.
        var runningCount = 0
        /// The jobs running on it in the order they started, kept only for a spot worker, whose interruption
        /// requeues them in that order: for the others the count is all that is read, and a list per worker cost a
        /// search and a copy at every finish.
        var running: [Int] = []
        var draining = false
    }

    private struct BootingWorker {
        var id: String
        var pool: Int
        var requestedAt: Double
        var readyAt: Double
        var spot: Bool
    }

    /// One pool of the fleet: what it is, its autoscaler, and what it did.
    private struct Pool {
        var spec: PoolSpec
        var settings: FleetSettings
        var provider: String?
        var template: WorkerSnapshot
        var autoscaler: Autoscaler?
        var lastSpotInterruption: Double?
        /// When its spot workers were interrupted, oldest first, as far back as the cost settings' backoff reaches.
        var spotInterruptionTimes: [Double] = []
        /// Run times of recently completed jobs, for the autoscaler's response-time signal.
        var recentRunTimes: [(finishedAt: Double, seconds: Double)] = []
        var recentRunTimesHead = 0
        var paidGPUSeconds = 0.0
        var spotGPUSeconds = 0.0
        var cost = 0.0
    }

    /// Where a held job's reservation lies (its worker's index in the fleet, nil when gone; its GPU and its demand),
    /// and its class.
    private struct HeldRelease {
        var worker: Int?
        /// The job's class, here for the count by class that each finish updates (in the padding after `worker`).
        var serviceClass: ServiceClass
        var gpu: Int?
        var demand: ResourceDemand
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
    private let jobIDs: SimulatedJobIDs
    private var pools: [Pool] = []
    /// Whether each pool has an autoscaler, asked for every finished job: asking the pool copies its autoscaler.
    private var scaledPools: [Bool] = []
    /// The clouds, when the fleet spans them; nil for the one pool of `fleetSettings`.
    private let cloud: CloudFleet?
    /// With clouds: each job's input store (an index into `cloud.inputs`), the pool a client pins it to, and the
    /// production routing of batch work (the cost-aware policy only).
    private var inputStores: [Int] = []
    private var routing: BatchRouting?
    private var egressCost: [String: Double] = [:]
    private var attemptsByProvider: [String: Int] = [:]
    private var remoteAttemptsByProvider: [String: Int] = [:]
    private var fleet: FleetSnapshot
    private var workers: [Worker] = []
    private var booting: [BootingWorker] = []
    private var planner: PlacementPlanner
    /// What running attempts hold, for the planner's view (each with its placement); a job's state holds its slot.
    private var held: [HeldJob] = []
    /// The job index of each entry of `held`: an array, not a dictionary, since every start and finish of millions of
    /// jobs goes through it.
    private var heldJobs: [Int] = []
    /// Beside each entry of `held`, what giving its reservation back reads: a few words where the held job is a few
    /// cache lines, and the finish of every job of the day reads it.
    private var heldReleases: [HeldRelease] = []
    /// The held jobs by class, kept as they start and end, for the planner's `PlacementView.heldSurvey`: every one
    /// runs and occupies capacity, and counting a hundred thousand of them each step cost more than keeping this.
    private var heldByClass = PerServiceClass(0)
    private var preemptions = 0
    private var degradations = 0
    private var random: SplitMix64
    private var queue = JobQueue()
    private var running: TickCalendar<Attempt>
    private var retries: TickCalendar<Int>
    /// By job index: when it was queued, its attempt number and its held slot.
    private var jobStates: [SimulatedJobState]
    private var nextArrival = 0
    private var nextWorkerNumber = 0
    private var inFlight = 0

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
    /// GPUs decoding something (the utilisation measure), kept per worker and in total, and the workers whose
    /// reservations changed since they were last counted: counting every device of the fleet each tick cost more
    /// than all the starts of the tick.
    private var busyGPUsByWorker: [Int] = []
    private var busyGPUs = 0
    private var uncounted = WorkerMarks(workers: 0)
    /// Workers whose reservations or state changed since the planner's last step (its own placements aside), for
    /// `PlacementView.changedWorkers`; when the fleet was rebuilt since, the planner must look at every worker.
    private var changedSincePlan = WorkerMarks(workers: 0)
    private var rebuiltSincePlan = false
    private var peakWorkers = 0
    private var timeline: [TimelinePoint] = []
    private var bucket = 0
    private var bucketLoad = 0
    private var bucketWaits: [Double] = []

    /// - Parameters:
    ///   - offeredLoad: the workload's load per forecast interval, for the opening fleet and the forecast.
    ///   - cloud: a fleet spread over clouds; `fleetSettings` is then only its first pool's.
    init(
        workload: Workload, fleet fleetSettings: FleetSettings, settings: SimulationSettings, policy: ScalingPolicy,
        offeredLoad: OfferedLoad, cloud: CloudFleet? = nil
    ) throws(SchedulerConfigurationError) {
        self.workload = workload
        self.fleetSettings = cloud?.pools.first?.fleet ?? fleetSettings
        self.settings = settings
        self.policy = policy
        self.cloud = cloud
        shapes = workload.kinds.map { kind in
            WorkloadShape(
                spec: JobSpec(
                    input: .file(path: "/simulated"), outputs: Presets.named(kind.preset)?.outputs ?? [],
                    preset: kind.preset, acceleration: kind.acceleration))
        }
        jobIDs = SimulatedJobIDs(count: workload.jobs.count)
        jobStates = Array(repeating: SimulatedJobState(), count: workload.jobs.count)
        // Nearly every job is placed at least once: room made up front, not by copying fourteen million waits as
        // they grow.
        waits.reserveCapacity(workload.jobs.count)
        waitClasses.reserveCapacity(workload.jobs.count)
        fleet = FleetSnapshot(workers: [], takenAt: Self.epoch)
        let fleetSettings = self.fleetSettings
        planner = try SimulatedPlacement.makePlanner(
            profile: fleetSettings.sharing == .wholeGPU ? Self.wholeGPUProfile : settings.schedulingProfile,
            dispatch: settings.dispatch, seed: settings.seed,
            cyclesPerStep: SimulatedPlacement.cycles(inStepOf: settings.tickSeconds))
        random = SplitMix64(seed: settings.seed ^ 0x5151_ABCD_0000_0001)
        running = TickCalendar(bucketSeconds: settings.tickSeconds)
        retries = TickCalendar(bucketSeconds: settings.tickSeconds)

        let meanJobSeconds =
            workload.jobs.isEmpty
            ? 60 : workload.jobs.reduce(0) { $0 + $1.durations.nvencSeconds } / Double(workload.jobs.count)
        var pageFleet = fleetSettings
        pageFleet.maxWorkers = cloud?.pools.reduce(0) { $0 + $1.fleet.maxWorkers } ?? fleetSettings.maxWorkers
        waitingPage = Self.waitingPage(pageFleet, tickSeconds: settings.tickSeconds, meanJobSeconds: meanJobSeconds)

        let members =
            cloud?.pools.map { ($0.name, $0.provider as String?, $0.region, $0.fleet) } ?? [
                ("gpu", nil, nil, fleetSettings)
            ]
        let shares = cloud.map { Self.shares(of: $0) } ?? [1]
        if let cloud {
            var draws = SplitMix64(seed: settings.seed ^ 0xC10D_0000_0000_0002)
            let weights = cloud.inputs.map(\.share)
            inputStores = workload.jobs.indices.map { _ in draws.index(weightedBy: weights) }
            routing = Self.routing(cloud, spot: policy == .predictiveCost, jobSeconds: meanJobSeconds)
        }
        for (index, member) in members.enumerated() {
            let (name, provider, region, poolSettings) = member
            var autoscaler: Autoscaler?
            if let autoscalerPolicy = policy.autoscalerPolicy(
                fleet: poolSettings, settings: settings, meanJobSeconds: meanJobSeconds)
            {
                autoscaler = Autoscaler(
                    policy: autoscalerPolicy,
                    loadHistory: autoscalerPolicy.predictive == nil
                        ? [] : Self.history(offeredLoad, share: shares[index], settings: settings))
            }
            let spec = PoolSpec(
                name: name, kind: .cuda, minWorkers: poolSettings.minWorkers, maxWorkers: poolSettings.maxWorkers,
                instanceType: poolSettings.instanceType.name, spot: policy == .predictiveCost,
                slotsPerWorker: poolSettings.slotsPerWorker, createdAt: Self.epoch, provider: provider, region: region)
            pools.append(
                Pool(
                    spec: spec, settings: poolSettings, provider: provider,
                    template: Self.template(poolSettings, pool: name), autoscaler: autoscaler))
        }
        scaledPools = pools.map { $0.autoscaler != nil }
        for index in pools.indices {
            let poolSettings = pools[index].settings
            let initial: Int
            switch policy {
            case .fixed(let count):
                initial = cloud == nil ? count : max(Int((Double(count) * shares[index]).rounded()), 1)
            default:
                let perWorker = Double(poolSettings.slotsPerWorker) * poolSettings.targetUtilisation
                let opening = (offeredLoad.meanConcurrency.first ?? 0) * shares[index]
                initial = min(
                    max(
                        poolSettings.initialWorkers ?? Int((opening / max(perWorker, 1e-9)).rounded(.up)),
                        poolSettings.minWorkers),
                    poolSettings.maxWorkers)
            }
            // The opening fleet is bought the way the policy buys: spot where the cost judgement would choose it.
            let openOnSpot =
                pools[index].autoscaler?.policy.cost.map {
                    $0.serviceClass.allowsSpot && $0.catalog.cheapestPerSlot(spot: true) != nil
                } ?? false
            var started: [BootingWorker] = []
            for _ in 0..<initial {
                started.append(
                    BootingWorker(id: newWorkerID(), pool: index, requestedAt: 0, readyAt: 0, spot: openOnSpot))
            }
            addWorkers(started, at: 0)
        }
    }

    /// Two seasons of the workload's own offered load (`load` is sampled at the forecast interval), times the share
    /// of it the pool is expected to carry, as if the days before had looked the same; without it the forecast
    /// needs two simulated days before it knows the season.
    private static func history(_ load: OfferedLoad, share: Double, settings: SimulationSettings) -> [Double] {
        let season = settings.forecastSeasonLength
        let day = (0..<season).map { $0 < load.meanConcurrency.count ? load.meanConcurrency[$0] * share : 0 }
        return day + day
    }

    /// The share of the load each pool is expected to carry: the inputs stored in its cloud, plus an equal part of
    /// those stored where no pool runs. It sizes the opening fleet and the forecast's history, nothing else.
    static func shares(of cloud: CloudFleet) -> [Double] {
        let providers = Set(cloud.pools.map(\.provider))
        let elsewhere = cloud.inputs.filter { !providers.contains($0.provider) }.reduce(0) { $0 + $1.share }
        return cloud.pools.map { pool in
            let own = cloud.pools.filter { $0.provider == pool.provider }.count
            let home = cloud.inputs.filter { $0.provider == pool.provider }.reduce(0) { $0 + $1.share }
            return home / Double(own) + elsewhere / Double(cloud.pools.count)
        }
    }

    /// The production routing over the clouds' pools, priced as the policy buys (spot for the cost-aware one).
    private static func routing(_ cloud: CloudFleet, spot: Bool, jobSeconds: Double) -> BatchRouting {
        var prices: [String: BatchRouting.PoolPrice] = [:]
        for pool in cloud.pools {
            let slots = pool.fleet.slotsPerWorker
            prices[pool.name] = BatchRouting.PoolPrice(
                provider: pool.provider,
                pricePerSlotHour: pool.fleet.instanceType.hourlyPrice(spot: spot) / Double(slots),
                slotsAtMaximum: slots * pool.fleet.maxWorkers)
        }
        return BatchRouting(
            pools: prices, egressPerGB: cloud.egressPerGB, inputLocations: cloud.inputLocations,
            assumedInputGB: cloud.assumedInputGB, jobSeconds: jobSeconds)
    }

    /// With whole GPUs every free GPU is as good as any other, as for the device plugin: the first free one found,
    /// searching on from where the last search stopped, so a large fleet is not scanned from the start each time.
    static let wholeGPUProfile = SchedulingProfile(name: "whole_gpu", weights: [:], sampling: .feasible(limit: 1))

    static func template(_ settings: FleetSettings, pool: String = "gpu") -> WorkerSnapshot {
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
            id: WorkerID(rawValue: "template"), pool: pool, poolKind: .cuda, host: "template", pid: 1,
            slots: settings.slotsPerWorker,
            devices: DeviceInventory(
                host: "template", cpuCores: settings.cpuCores, ffmpeg: ffmpeg, opencl: [], gpus: gpus),
            startedAt: epoch, heartbeatAt: epoch)
        return FleetSnapshotBuilder().snapshot(workers: [record], holding: [], now: epoch).workers[0]
    }

    // MARK: - Running

    /// Gives the planner a thread of its own for part of each step (see `PlacementPlanner.helper`); the report is
    /// the same.
    mutating func lendPlannerAHelper() {
        planner.helper = HelperThread()
    }

    /// The planner's helper, when it was lent one.
    var plannerHelper: HelperThread? { planner.helper }

    /// - Parameter reporting: told the virtual time reached every `SimulationProgress.reportingSeconds`.
    mutating func run(reporting: ((Double) -> Void)? = nil) -> PolicyReport {
        let tick = settings.tickSeconds
        let hardStop = workload.durationSeconds + settings.drainAllowanceSeconds
        var now = 0.0
        var nextReport = SimulationProgress.reportingSeconds
        while true {
            step(at: now)
            account(at: now, tick: tick)
            if let reporting, now >= nextReport {
                reporting(now)
                nextReport = now + SimulationProgress.reportingSeconds
            }
            let finished =
                nextArrival == workload.jobs.count && retries.isEmpty && queue.isEmpty && inFlight == 0
            if (now >= workload.durationSeconds && finished) || now >= hardStop { break }
            now += tick
        }
        flushBucket()
        let hours = (now + tick) / 3_600
        let paidGPUSeconds = pools.reduce(0) { $0 + $1.paidGPUSeconds }
        let spotGPUSeconds = pools.reduce(0) { $0 + $1.spotGPUSeconds }
        let cost = pools.reduce(0) { $0 + $1.cost } + egressCost.values.reduce(0, +)
        let gpuHours = paidGPUSeconds / 3_600
        let (queueWait, waitsByClass) = summariseWaits()
        return PolicyReport(
            policy: policy.name, sharing: fleetSettings.sharing, jobsArrived: workload.jobs.count,
            jobsCompleted: completed, jobsUnfinished: workload.jobs.count - completed, failedAttempts: failedAttempts,
            requeuedBySpot: requeuedBySpot, queueWait: queueWait, waitsByClass: waitsByClass, sloViolations: violations,
            utilisation: paidGPUSeconds > 0 ? busyGPUSeconds / paidGPUSeconds : 0, gpuHours: gpuHours,
            spotShare: paidGPUSeconds > 0 ? spotGPUSeconds / paidGPUSeconds : 0, cost: cost,
            jobsPerGPUHour: gpuHours > 0 ? Double(completed) / gpuHours : 0, scaleEvents: scaleEvents,
            spotInterruptions: spotInterruptions, preemptions: preemptions, degradations: degradations,
            peakWorkers: peakWorkers, hours: hours, timeline: timeline, providers: providerCosts())
    }

    /// The waits of every placement, all together and by class: each sorts them all, so with a helper the two
    /// sorts run side by side.
    private func summariseWaits() -> (all: WaitPercentiles, byClass: ClassWaits) {
        let (waits, classes) = (self.waits, waitClasses)
        var all: WaitPercentiles?
        var byClass: ClassWaits?
        if let helper = planner.helper, waits.count >= 1 << 16 {
            helper.run(
                { byClass = ClassWaits(waits: waits, classes: classes) },
                alongside: {
                    all = WaitPercentiles(waits: waits)
                })
        } else {
            all = WaitPercentiles(waits: waits)
            byClass = ClassWaits(waits: waits, classes: classes)
        }
        return (all!, byClass!)
    }

    /// What each provider was paid, with clouds; nil for the one pool.
    private func providerCosts() -> [ProviderCost]? {
        guard let cloud else { return nil }
        var names = cloud.pools.map(\.provider)
        // A cloud that runs no pool is listed only when inputs leaving it cost something.
        for (provider, cost) in egressCost.sorted(by: { $0.key < $1.key }) where !names.contains(provider) && cost > 0 {
            names.append(provider)
        }
        var seen: Set<String> = []
        return names.filter { seen.insert($0).inserted }.map { provider in
            let own = pools.filter { $0.provider == provider }
            let paid = own.reduce(0) { $0 + $1.paidGPUSeconds }
            return ProviderCost(
                provider: provider, gpuHours: paid / 3_600,
                spotShare: paid > 0 ? own.reduce(0) { $0 + $1.spotGPUSeconds } / paid : 0,
                computeCost: own.reduce(0) { $0 + $1.cost }, egressCost: egressCost[provider] ?? 0,
                attempts: attemptsByProvider[provider] ?? 0,
                attemptsWithRemoteInput: remoteAttemptsByProvider[provider] ?? 0)
        }
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
        evaluateAutoscalers(at: now)
        removeDrainedWorkers(at: now)
    }

    private mutating func enqueue(_ job: Int, at time: Double) {
        jobStates[job].enqueuedAt = time
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
        var waiting = queue.first(waitingPage).map { queuedJob($0) }
        if let routing {
            // As the placement service does: a job whose input is costly to move runs where it costs least in all.
            waiting = PoolDemand.pinnedToInputCloud(
                waiting, pools: pools.map(\.spec), running: runningByPool(), routing: routing)
        }
        // The view lives only for the call: were it still holding `held` when `start` appends to it, the array of
        // every running job would be copied each step.
        let changed = changedSincePlan.take()
        let plan = planner.plan(
            PlacementView(
                now: date, waiting: waiting, holding: held, changedWorkers: rebuiltSincePlan ? nil : changed,
                heldSurvey: HeldSurvey(occupying: heldByClass)),
            fleet: &fleet)
        rebuiltSincePlan = false
        var placed = Set<Int>(minimumCapacity: plan.placements.count)
        for (commit, worker) in zip(plan.placements, plan.placementWorkers) {
            guard let job = jobIDs.index(of: commit.job) else { continue }
            placed.insert(job)
            start(job, on: commit.placement, workerHint: worker, at: now)
        }
        queue.remove(placed)
        for preemption in plan.preemptions {
            guard let victim = jobIDs.index(of: preemption.victim), jobStates[victim].heldSlot >= 0 else { continue }
            release(victim)
            jobStates[victim].attempt += 1
            preemptions += 1
            enqueue(victim, at: now)
        }
        for degradation in plan.degradations {
            guard let job = jobIDs.index(of: degradation.job) else { continue }
            // The simulated pool is one; a move to a pool it lacks was never planned. Faster encoding keeps the
            // job's modelled duration: the simulator counts degradations, it does not credit their speed-up.
            if degradation.degradation.encoderSpeed == .faster { jobStates[job].encodesFaster = true }
            degradations += 1
        }
    }

    private func queuedJob(_ job: Int) -> QueuedJob {
        let simulated = workload.jobs[job]
        let kind = workload.kinds[simulated.kind]
        let state = jobStates[job]
        return QueuedJob(
            id: jobIDs[job], version: state.attempt, tenant: TenantID(rawValue: simulated.tenant),
            serviceClass: simulated.serviceClass, priority: 50, pool: nil, acceleration: kind.acceleration,
            preset: kind.preset, shape: shapes[simulated.kind], input: input(job),
            createdAt: Self.epoch.addingTimeInterval(state.enqueuedAt),
            encoderSpeed: state.encodesFaster ? .faster : .standard)
    }

    /// The job's input URL: in its store's cloud with clouds, nothing otherwise.
    private func input(_ job: Int) -> String {
        guard let cloud else { return "" }
        return cloud.inputs[inputStores[job]].prefix + jobIDs[job].rawValue
    }

    /// Counts the attempt for the provider it runs in, and what moving its input there costs the cloud it left.
    private mutating func chargeInput(of job: Int, toPool pool: Int) {
        guard let cloud, let provider = pools[pool].provider else { return }
        attemptsByProvider[provider, default: 0] += 1
        let home = cloud.inputs[inputStores[job]].provider
        guard home != provider else { return }
        remoteAttemptsByProvider[provider, default: 0] += 1
        egressCost[home, default: 0] += cloud.assumedInputGB * (cloud.egressPerGB[home] ?? 0)
    }

    private mutating func start(_ job: Int, on placement: JobPlacement, workerHint: Int, at now: Double) {
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
        let state = jobStates[job]
        running.push(Attempt(job: job, number: state.attempt, startedAt: now, retryAt: retryAt), at: end)
        jobStates[job].heldSlot = held.count
        heldJobs.append(job)
        // Where it runs is kept with it (and remapped when workers come or go), so that neither its finish nor the
        // preemption planner hashes the worker's ID to find it. The plan says where the worker stood when placed.
        let worker = fleet.index(of: placement.worker, hint: workerHint)
        var heldJob = HeldJob(
            id: jobIDs[job], tenant: TenantID(rawValue: simulated.tenant), serviceClass: simulated.serviceClass,
            priority: 50, placement: placement, isRunning: true, startedAt: Self.epoch.addingTimeInterval(now))
        heldJob.workerIndexHint = worker
        held.append(heldJob)
        heldReleases.append(
            HeldRelease(
                worker: worker, serviceClass: simulated.serviceClass, gpu: placement.gpu, demand: placement.demand))
        heldByClass[simulated.serviceClass] += 1
        if let worker {
            uncounted.mark(worker)
            workers[worker].runningCount += 1
            if workers[worker].spot { workers[worker].running.append(job) }
            chargeInput(of: job, toPool: workers[worker].pool)
        }
        inFlight += 1
        if logsPlacements { placementLog.append((job, now, state.attempt)) }
        let wait = now - state.enqueuedAt
        waits.append(wait)
        waitClasses.append(simulated.serviceClass)
        bucketWaits.append(wait)
        if wait > settings.sloTargets.seconds(for: simulated.serviceClass) {
            violations.record(simulated.serviceClass)
        }
    }

    /// Ends the attempts due by `now`. Their reservations are given back to the fleet on the planner's helper
    /// thread when it has one, while this thread forgets what they held: the two touch nothing in common, and a
    /// tick at fleet scale ends thousands of attempts.
    private mutating func finishAttempts(dueBy now: Double) {
        var finished: [(attempt: Attempt, time: Double)] = []
        while let due = running.pop(dueBy: now) {
            // An attempt whose worker was taken away was already requeued under a newer number.
            guard jobStates[due.payload.job].attempt == due.payload.number else { continue }
            finished.append((due.payload, due.time))
        }
        guard !finished.isEmpty else { return }
        var releases: [(job: Int, release: HeldRelease)] = []
        releases.reserveCapacity(finished.count)
        for (attempt, _) in finished {
            let slot = jobStates[attempt.job].heldSlot
            guard slot >= 0, heldReleases[slot].worker != nil else { continue }
            releases.append((attempt.job, heldReleases[slot]))
        }
        // Moved out of `self` for the helper's side: the fleet is given back before the planner next reads it.
        var fleet = FleetSnapshot(workers: [], takenAt: Self.epoch)
        swap(&fleet, &self.fleet)
        var uncounted = WorkerMarks(workers: 0)
        swap(&uncounted, &self.uncounted)
        var changed = WorkerMarks(workers: 0)
        swap(&changed, &changedSincePlan)
        let jobIDs = self.jobIDs
        func giveBack() {
            for (job, release) in releases {
                Self.giveBack(jobIDs[job], release, to: &fleet, marking: &uncounted, &changed)
            }
        }
        if let helper = planner.helper, releases.count >= 64 {
            helper.run({ giveBack() }, alongside: { forget(finished) })
        } else {
            giveBack()
            forget(finished)
        }
        swap(&fleet, &self.fleet)
        swap(&uncounted, &self.uncounted)
        swap(&changed, &changedSincePlan)
    }

    /// Everything but the fleet's side of ending `finished`: what they held, their retries and counts.
    private mutating func forget(_ finished: [(attempt: Attempt, time: Double)]) {
        for (attempt, time) in finished {
            let pool = forgetHeld(attempt.job).map { workers[$0].pool } ?? 0
            if let retryAt = attempt.retryAt {
                jobStates[attempt.job].attempt += 1
                failedAttempts += 1
                retries.push(attempt.job, at: retryAt)
            } else {
                completed += 1
                // Only an autoscaler reads them; a fixed fleet would keep every run time of the day.
                if scaledPools[pool] {
                    pools[pool].recentRunTimes.append((time, time - attempt.startedAt))
                }
            }
        }
    }

    /// Gives back what the job holds, if anything. Returns the index of the worker it held it on (nil when it held
    /// nothing, or its worker is gone), found once for the caller too: every finished job of the day comes here.
    @discardableResult
    private mutating func release(_ job: Int) -> Int? {
        let slot = jobStates[job].heldSlot
        guard slot >= 0 else { return nil }
        if heldReleases[slot].worker != nil {
            Self.giveBack(jobIDs[job], heldReleases[slot], to: &fleet, marking: &uncounted, &changedSincePlan)
        }
        return forgetHeld(job)
    }

    /// The fleet's side of a release: the reservation goes back, and the worker is marked for the GPU count and for
    /// the planner's next step.
    private static func giveBack(
        _ job: JobID, _ release: HeldRelease, to fleet: inout FleetSnapshot, marking uncounted: inout WorkerMarks,
        _ changed: inout WorkerMarks
    ) {
        guard let worker = release.worker else { return }
        fleet.release(job, gpu: release.gpu, demand: release.demand, onWorkerAt: worker)
        uncounted.mark(worker)
        changed.mark(worker)
    }

    /// `release` without giving anything back to the fleet: the job leaves its worker (its count, and a spot worker's
    /// list) and the held jobs.
    private mutating func forgetHeld(_ job: Int) -> Int? {
        let slot = jobStates[job].heldSlot
        guard slot >= 0 else { return nil }
        let entry = heldReleases[slot]
        if let worker = entry.worker {
            workers[worker].runningCount -= 1
            if workers[worker].spot, let running = workers[worker].running.firstIndex(of: job) {
                workers[worker].running.remove(at: running)
            }
        }
        jobStates[job].heldSlot = -1
        heldByClass[entry.serviceClass] -= 1
        // Swap-remove keeps release O(1) and the order deterministic.
        let last = held.removeLast()
        let lastRelease = heldReleases.removeLast()
        let lastJob = heldJobs.removeLast()
        if slot < held.count {
            held[slot] = last
            heldReleases[slot] = lastRelease
            heldJobs[slot] = lastJob
            jobStates[lastJob].heldSlot = slot
        }
        inFlight -= 1
        return entry.worker
    }

    // MARK: - Fleet changes

    private mutating func newWorkerID() -> String {
        defer { nextWorkerNumber += 1 }
        return "w\(nextWorkerNumber)"
    }

    private mutating func addWorkers(_ added: [BootingWorker], at now: Double) {
        var snapshots = fleet.workers
        for worker in added {
            var snapshot = pools[worker.pool].template
            snapshot.id = WorkerID(rawValue: worker.id)
            snapshots.append(snapshot)
            workers.append(Worker(id: worker.id, pool: worker.pool, startedAt: worker.requestedAt, spot: worker.spot))
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
        for slot in held.indices {
            held[slot].workerIndexHint = held[slot].placement.flatMap { fleet.workerIndex[$0.worker] }
            heldReleases[slot].worker = held[slot].workerIndexHint
        }
        busyGPUsByWorker = fleet.workers.indices.map { busyGPUs(of: $0) }
        busyGPUs = busyGPUsByWorker.reduce(0, +)
        uncounted = WorkerMarks(workers: fleet.workers.count)
        changedSincePlan = WorkerMarks(workers: fleet.workers.count)
        rebuiltSincePlan = true
    }

    private mutating func interruptSpotWorkers(at now: Double) {
        let chances = pools.map { $0.settings.spotInterruptionsPerHour * settings.tickSeconds / 3_600 }
        guard chances.contains(where: { $0 > 0 }) else { return }
        var interrupted: Set<Int> = []
        for index in workers.indices where workers[index].spot {
            let chance = chances[workers[index].pool]
            if chance > 0 && random.unit() < chance { interrupted.insert(index) }
        }
        guard !interrupted.isEmpty else { return }
        for index in interrupted.sorted() {
            for job in workers[index].running {
                release(job)
                jobStates[job].attempt += 1
                requeuedBySpot += 1
                enqueue(job, at: now)
            }
        }
        spotInterruptions += interrupted.count
        for index in interrupted {
            pools[workers[index].pool].lastSpotInterruption = now
            pools[workers[index].pool].spotInterruptionTimes.append(now)
        }
        removeWorkers(at: interrupted, at: now)
    }

    private mutating func removeDrainedWorkers(at now: Double) {
        let idle = Set(workers.indices.filter { workers[$0].draining && workers[$0].runningCount == 0 })
        removeWorkers(at: idle, at: now)
    }

    // MARK: - Autoscaling

    /// What the waiting jobs a pool answers for look like: all of them for the one pool, its attributed share with
    /// clouds.
    private struct Demand {
        var waiting = 0
        var oldestWait = 0.0
        var waitingBatch = 0
        var oldestBatchWait = 0.0
        var oldestOtherWait = 0.0
    }

    private mutating func evaluateAutoscalers(at now: Double) {
        guard pools.contains(where: { $0.autoscaler != nil }) else { return }
        let demands: [Demand]
        if pools.count == 1 {
            let oldestOther =
                [ServiceClass.realtime, .standard].compactMap { queue.oldest(of: $0) }
                .map { now - jobStates[$0].enqueuedAt }.max() ?? 0
            let oldest = queue.oldestJobs.map { now - jobStates[$0].enqueuedAt }.max() ?? 0
            demands = [
                Demand(
                    waiting: queue.count, oldestWait: oldest, waitingBatch: queue.count(of: .batch),
                    oldestBatchWait: queue.oldest(of: .batch).map { now - jobStates[$0].enqueuedAt } ?? 0,
                    oldestOtherWait: oldestOther)
            ]
        } else {
            demands = attributedDemand(at: now)
        }
        for index in pools.indices { evaluateAutoscaler(of: index, demand: demands[index], at: now) }
    }

    private func runningByPool() -> [String: Int] {
        var running: [String: Int] = [:]
        for worker in workers { running[pools[worker.pool].spec.name, default: 0] += worker.runningCount }
        return running
    }

    /// Splits the waiting jobs among the pools as the production pool manager does.
    private func attributedDemand(at now: Double) -> [Demand] {
        let waiting = queue.first(queue.count).map { queuedJob($0) }
        let attributed = PoolDemand.attribute(
            waiting, to: pools.map(\.spec), running: runningByPool(), routing: routing)
        return pools.map { pool in
            var demand = Demand()
            for queued in attributed[pool.spec.name] ?? [] {
                guard let job = jobIDs.index(of: queued.id) else { continue }
                let wait = now - jobStates[job].enqueuedAt
                demand.waiting += 1
                demand.oldestWait = max(demand.oldestWait, wait)
                if queued.serviceClass == .batch {
                    demand.waitingBatch += 1
                    demand.oldestBatchWait = max(demand.oldestBatchWait, wait)
                } else {
                    demand.oldestOtherWait = max(demand.oldestOtherWait, wait)
                }
            }
            return demand
        }
    }

    private mutating func evaluateAutoscaler(of index: Int, demand: Demand, at now: Double) {
        guard var autoscaler = pools[index].autoscaler else { return }
        let date = Self.epoch.addingTimeInterval(now)
        let type = pools[index].settings.instanceType
        let backoff = autoscaler.policy.cost?.spotInterruptionBackoffSeconds ?? 0
        pools[index].spotInterruptionTimes.removeAll { $0 <= now - backoff }
        var inFlight = 0
        var busy = 0
        var ready = 0
        var spot = 0
        var members: [PoolWorker] = []
        for worker in workers where worker.pool == index {
            inFlight += worker.runningCount
            busy += worker.runningCount == 0 ? 0 : 1
            ready += 1
            spot += worker.spot ? 1 : 0
            members.append(
                PoolWorker(
                    id: worker.id, runningJobs: worker.runningCount, hourlyPrice: type.hourlyPrice(spot: worker.spot),
                    startedAt: Self.epoch.addingTimeInterval(worker.startedAt)))
        }
        var bootingCount = 0
        for worker in booting where worker.pool == index {
            bootingCount += 1
            spot += worker.spot ? 1 : 0
            members.append(
                PoolWorker(
                    id: worker.id, runningJobs: 0, hourlyPrice: type.hourlyPrice(spot: worker.spot),
                    startedAt: Self.epoch.addingTimeInterval(worker.requestedAt)))
        }
        let signals = PoolSignals(
            time: date, waiting: demand.waiting, inFlight: inFlight, busyWorkers: busy, readyWorkers: ready,
            bootingWorkers: bootingCount, oldestWaitSeconds: demand.oldestWait,
            responseTimeSeconds: recentResponseTime(of: index, at: now),
            lastSpotInterruption: pools[index].lastSpotInterruption.map { Self.epoch.addingTimeInterval($0) },
            waitingBatch: demand.waitingBatch, oldestBatchWaitSeconds: demand.oldestBatchWait,
            oldestOtherWaitSeconds: demand.oldestOtherWait,
            recentSpotInterruptions: pools[index].spotInterruptionTimes.count, spotWorkers: spot)
        let decision = autoscaler.evaluate(signals, workers: members)
        pools[index].autoscaler = autoscaler
        switch decision.action {
        case .none:
            break
        case .scaleUp(let count, _, let spot):
            scaleEvents += 1
            for _ in 0..<count {
                booting.append(
                    BootingWorker(
                        id: newWorkerID(), pool: index, requestedAt: now, readyAt: now + type.bootSeconds, spot: spot))
            }
        case .drain(let drained):
            scaleEvents += 1
            let names = Set(drained)
            booting.removeAll { names.contains($0.id) }
            for worker in workers.indices where names.contains(workers[worker].id) {
                workers[worker].draining = true
                fleet.workers[worker].accepting = false
                changedSincePlan.mark(worker)
            }
        }
    }

    /// Mean run time of the pool's jobs completed in the last fifteen minutes; nil when none did.
    private mutating func recentResponseTime(of pool: Int, at now: Double) -> Double? {
        var head = pools[pool].recentRunTimesHead
        let times = pools[pool].recentRunTimes
        while head < times.count, times[head].finishedAt < now - 900 { head += 1 }
        if head > 4_096 {
            pools[pool].recentRunTimes.removeFirst(head)
            head = 0
        }
        pools[pool].recentRunTimesHead = head
        let kept = pools[pool].recentRunTimes
        let count = kept.count - head
        guard count > 0 else { return nil }
        var total = 0.0
        for index in head..<kept.count { total += kept[index].seconds }
        return total / Double(count)
    }

    // MARK: - Accounting

    /// Charges the fleet as it stands after this tick for the tick's duration, and feeds the time series.
    private mutating func account(at now: Double, tick: Double) {
        var paid = Array(repeating: 0, count: pools.count)
        var spot = Array(repeating: 0, count: pools.count)
        // By index: a worker copied out of the array retains its ID and its list of jobs, ten thousand a tick.
        for index in workers.indices {
            paid[workers[index].pool] += 1
            spot[workers[index].pool] += workers[index].spot ? 1 : 0
        }
        for worker in booting {
            paid[worker.pool] += 1
            spot[worker.pool] += worker.spot ? 1 : 0
        }
        for w in uncounted.take() {
            let busy = busyGPUs(of: w)
            busyGPUs += busy - busyGPUsByWorker[w]
            busyGPUsByWorker[w] = busy
        }
        busyGPUSeconds += Double(busyGPUs) * tick
        for index in pools.indices {
            let type = pools[index].settings.instanceType
            let gpus = pools[index].settings.gpusPerWorker
            pools[index].paidGPUSeconds += Double(paid[index] * gpus) * tick
            pools[index].spotGPUSeconds += Double(spot[index] * gpus) * tick
            pools[index].cost +=
                (Double(paid[index] - spot[index]) * type.hourlyPrice(spot: false)
                    + Double(spot[index]) * type.hourlyPrice(spot: true)) * tick / 3_600
        }
        let total = paid.reduce(0, +)
        peakWorkers = max(peakWorkers, total)

        let current = Int(now / settings.timelineBucketSeconds)
        if current != bucket { flushBucket() }
        bucket = current
        bucketLoad = max(bucketLoad, queue.count + inFlight)
        bucketWorkers = total
    }

    private var bucketWorkers = 0

    /// The GPUs of worker `w` that decode something now.
    private func busyGPUs(of w: Int) -> Int {
        // By index: iterating the values copies each device (and retains its ledger).
        var busy = 0
        for d in fleet.workers[w].devices.indices
        where fleet.workers[w].devices[d].kind == .gpu && fleet.workers[w].devices[d].decoderSessions.inUse > 0 {
            busy += 1
        }
        return busy
    }

    private mutating func flushBucket() {
        let sorted = WaitSorting.sorted(bucketWaits)
        timeline.append(
            TimelinePoint(
                minute: Double(bucket + 1) * settings.timelineBucketSeconds / 60, load: bucketLoad,
                workers: bucketWorkers, p95WaitSeconds: WaitPercentiles.percentile(sorted, 0.95)))
        bucketLoad = 0
        bucketWaits.removeAll(keepingCapacity: true)
    }
}
