import Foundation
import Logging
import Metrics
import SpoolControlPlane
import SpoolCore
import SpoolInputs
import SpoolMedia
import SpoolStorage
import SpoolTraceContext
import Synchronization
import Tracing

/// Runs one attempt of one job end to end: stage the input, probe it, transcode, validate, commit, publish.
/// Every store write carries the attempt's lease, so a late or duplicate attempt can never commit.
struct AttemptRunner<C: Clock>: Sendable where C.Duration == Duration {
    let store: any WorkerStore
    let configuration: WorkerConfiguration
    let inventory: DeviceInventory
    let files: AttemptFiles
    let inputAccess: InputAccess
    let tools: MediaTools
    let clock: C
    let logger: Logger
    /// Told how each attempt placed on a GPU ended; nil on hosts without GPUs.
    var health: GPUHealthMonitor? = nil
    /// nvidia-smi's GPU memory per process, sampled while a GPU job runs; nil on hosts without GPUs.
    var gpuProcessMemory: (@Sendable () async -> [Int32: Int])? = nil
    var observations: GPUMemoryObservations? = nil
    /// The cache every process shares (Redis in a cluster), for probe results; nil on the embedded store.
    var sharedCache: (any SharedCache)? = nil
    /// This worker's cache of downloaded inputs (prefetched by the warmer); nil turns caching off.
    var inputCache: InputCache? = nil
    /// Where uploads come from and outputs go when they do not live in the data directory (a bucket); nil: the
    /// data directory is the storage.
    var remote: AttemptObjects? = nil
    /// Reads `s3://` inputs; nil where the storage is not a bucket (the policy then refuses them).
    var objectInputs: (any ObjectInputReading)? = nil
    /// Wakes the scheduler of this process (`spool serve`) when an attempt's transcode ends and frees its slot; nil
    /// where the scheduler runs elsewhere (it sees the freed slot on its next cycle).
    var schedulerWakeUp: WorkSignal? = nil
    /// The GPUs' power readings, for the energy of GPU attempts; nil on hosts without GPUs.
    var powerLog: GPUPowerLog? = nil

    /// What a successful attempt hands to the commit.
    struct Produced: Sendable {
        var outputs: [OutputResult]
        /// The earlier job whose outputs were reused instead of transcoding.
        var reusedFrom: JobID?
        /// The content key to index these outputs under once they are published (fresh transcodes only).
        var resultKey: String?
        /// Set when the attempt split the job (or found its tasks unfinished): the job waits for its tasks until
        /// then, holding no worker, instead of committing.
        var awaitSegmentsUntil: Date? = nil
    }

    /// How an attempt ended, before the store is told.
    enum Outcome: Sendable {
        case finished(Result<Produced, JobError>)
        /// The store told the worker to stop (cancelled, or the lease went to someone else).
        case stopped(HeartbeatReply)
        /// The worker is shutting down.
        case interrupted
    }

    /// - Parameter claimedSince: when the slot began the claim that returned `job`, so the attempt's trace shows it.
    /// - Parameter transcodeFinished: called once ffmpeg has exited, so the slot can take its next job while this
    ///   attempt validates and commits (that part is short and mostly waits on ffprobe and the store).
    func run(
        _ job: Job, claimedSince: DefaultTracerClock.Instant? = nil,
        transcodeFinished: @escaping @Sendable () -> Void = {}
    ) async {
        guard let lease = job.currentLease else { return }
        // The attempt's span joins the trace the job was submitted under, whichever process that was.
        let span = Self.startAttemptSpan(job, lease: lease, pool: configuration.pool.name, since: claimedSince)
        defer { span.end() }
        await InstrumentationContext.withValue(span.context) {
            var logger = logger
            logger[metadataKey: "job"] = "\(job.id)"
            logger[metadataKey: "attempt"] = "\(lease.attempt)"
            let started = ContinuousClock.now
            let powerMark = job.placement?.gpu.flatMap { gpu in powerLog?.mark(gpu: gpu) }
            var outcome: Outcome
            do {
                try files.prepare(job.id, attempt: lease.attempt)
                outcome = await supervise(job, lease: lease, transcodeFinished: transcodeFinished)
            } catch {
                outcome = .finished(.failure(JobError(code: .internalError, message: "cannot stage files: \(error)")))
            }
            if case .finished(.failure(let error)) = outcome {
                outcome = .finished(.failure(StorageFull.classify(error)))
            }
            Self.record(outcome, on: span)
            // What the attempt used is measured before settling, so the settling write records it on the job. The noop
            // executor (queue benchmarks) does no work, so it measures none and writes no more than it did before.
            let usage =
                configuration.executor == .noop
                ? nil : measure(job, seconds: (ContinuousClock.now - started).seconds, powerMark: powerMark)
            // Settling must happen even when the attempt was cancelled (shutdown, cancel): the store write and the
            // file moves run in a fresh task, which does not inherit this one's cancellation.
            let settled = Task { await settle(job, lease: lease, outcome: outcome, usage: usage, logger: logger) }
            let settledState = await settled.value
            // Settled, the job holds nothing in the store's books either, so the scheduler may place on what it held
            // (the early wake-up in `releaseSlot` comes only when ffmpeg ran: not for the noop executor, nor for an
            // attempt that failed before its transcode).
            schedulerWakeUp?.notify()
            reportDeviceHealth(job, outcome: outcome, logger: logger)
            await recordUsage(
                job, gpuSeconds: (ContinuousClock.now - started).seconds, attempt: usage,
                finishedJob: job.spec.segment == nil && settledState?.isTerminal == true, logger: logger)
            Timer(label: "spool_attempt_duration_seconds", dimensions: [("pool", configuration.pool.name)])
                .recordNanoseconds((ContinuousClock.now - started).nanoseconds)
        }
    }

    /// What the attempt used and cost: its device from the placement, its share of the instance's price (see
    /// `AttemptMeter` for the sharing rule) and, on a GPU, the mean power nvidia-smi reported while it ran.
    func measure(_ job: Job, seconds: Double, powerMark: GPUPowerLog.Mark?) -> AttemptUsage {
        let meter = AttemptMeter(
            price: configuration.capacityPrice, slots: configuration.slots, gpus: inventory.gpus.count)
        let device: AttemptMeter.Device
        var watts: Double? = nil
        if let gpu = job.placement?.gpu {
            device = .gpu(index: gpu, model: inventory.gpus.first { $0.index == gpu }?.name ?? "GPU")
            if let powerMark { watts = powerLog?.meanWatts(gpu: gpu, since: powerMark) }
        } else {
            device = .cpu
        }
        // Each output gets its own encoder; with no thread count set, one thread per output is assumed.
        let threads = (configuration.threadsPerOutput ?? 1) * max(job.spec.outputs.count, 1)
        return meter.usage(wallSeconds: seconds, device: device, encoderThreads: threads, gpuPowerWatts: watts)
    }

    /// The tenant's counters for today. Time on a GPU counts against its daily GPU-seconds whatever the attempt's
    /// outcome (the GPU was busy either way), and so do the attempt's CPU-seconds, cost and energy: a stopped or
    /// retried attempt was paid for too. `finishedJob` counts the job among the day's jobs (a segment task is
    /// part of its job and not counted as one; what it used is).
    func recordUsage(
        _ job: Job, gpuSeconds: Double, attempt: AttemptUsage?, finishedJob: Bool, logger: Logger
    ) async {
        let onGPU = job.placement?.gpu != nil && gpuSeconds > 0
        let usage =
            TenantUsage(gpuSeconds: onGPU ? gpuSeconds : 0)
            + (attempt.map { TenantUsage(attempt: $0, finishedJob: finishedJob) } ?? TenantUsage())
        guard usage != TenantUsage() else { return }
        do {
            try await store.addUsage(usage, tenant: job.spec.tenant, day: TenantUsage.day(of: Date()))
        } catch {
            logger.warning("could not record the attempt's usage", metadata: ["error": "\(error)"])
        }
    }

    /// A GPU that keeps failing jobs, or cannot open a session at all, is fenced until a self-test passes.
    func reportDeviceHealth(_ job: Job, outcome: Outcome, logger: Logger) {
        guard let health, let gpu = job.placement?.gpu, case .finished(let result) = outcome else { return }
        let event: DeviceHealth.Event?
        switch result {
        case .success: event = .jobSucceeded
        case .failure(let error): event = GPUFailure.event(for: error)
        }
        guard let event, case .fence(let reason, let until)? = health.record(event, gpu: gpu, now: Date()) else {
            return
        }
        logger.warning(
            "GPU fenced: nothing more is placed on it until a self-test passes",
            metadata: ["gpu": "\(gpu)", "reason": "\(reason)", "self_test_after": "\(until)"])
    }

    /// Runs the transcode beside a heartbeat loop; whichever ends first decides, and the other is cancelled.
    func supervise(_ job: Job, lease: Lease, transcodeFinished: @escaping @Sendable () -> Void) async -> Outcome {
        let progress = ProgressCell()
        return await withTaskGroup(of: Outcome?.self) { group in
            group.addTask {
                do {
                    return .finished(
                        .success(
                            try await execute(
                                job, lease: lease, progress: progress, transcodeFinished: transcodeFinished)))
                } catch let error as JobError {
                    return .finished(.failure(error))
                } catch is CancellationError {
                    return nil
                } catch {
                    return .finished(.failure(JobError(code: .internalError, message: String(describing: error))))
                }
            }
            group.addTask {
                // A store hiccup must not kill the transcode (the lease is long enough to ride it out): a failed
                // heartbeat is logged and the next one tried; a reply other than proceed stops the attempt.
                let stop = Mutex<HeartbeatReply?>(nil)
                await runPeriodically(
                    every: configuration.heartbeatInterval, clock: clock, waitFirst: true, lifetime: .untilCancelled,
                    logger: logger, failure: "heartbeat failed"
                ) {
                    let reply = try await store.heartbeat(
                        lease, progress: progress.get(), leaseDuration: configuration.leaseDuration, now: Date())
                    guard reply == .proceed else {
                        stop.withLock { $0 = reply }
                        return .stop
                    }
                    return .wait
                }
                return stop.withLock { $0 }.map { .stopped($0) }
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            if let first { return first }
            // Both children ended by cancellation: the worker itself is shutting down.
            return .interrupted
        }
    }

    func execute(
        _ job: Job, lease: Lease, progress: ProgressCell, transcodeFinished: @Sendable () -> Void
    ) async throws -> Produced {
        if configuration.executor == .noop {
            transcodeFinished()
            return Produced(outputs: [], reusedFrom: nil, resultKey: nil)
        }
        if let task = job.spec.segment {
            return try await executeSegmentTask(
                job, task: task, lease: lease, progress: progress, transcodeFinished: transcodeFinished)
        }
        if let segmentation = job.segmentation, segmentation.isSplit {
            return try await executeJoin(
                job, segmentation: segmentation, lease: lease, progress: progress,
                transcodeFinished: transcodeFinished)
        }
        let attemptDirectory = files.layout.attemptDirectory(job.id, attempt: lease.attempt)
        let staging = files.layout.stagingDirectory(job.id, attempt: lease.attempt)
        let input = try await download(job, attemptDirectory: attemptDirectory)
        let digest = configuration.deduplicate ? try? await ResultIndex.digestOffTheExecutor(ofFile: input) : nil
        let resultKey = try digest.map { try ResultIndex.key(inputDigest: $0, spec: job.spec) }
        if let resultKey, let earlier = await reuse(resultKey, for: job, attempt: lease.attempt, staging: staging) {
            logger.info(
                "same input and outputs as an earlier job: reusing its outputs", metadata: ["from": "\(earlier.id)"])
            transcodeFinished()
            return Produced(outputs: earlier.outputs, reusedFrom: earlier.id, resultKey: nil)
        }
        let source = try await probe(input, digest: digest)
        if let refusal = configuration.inputLimits.check(source) { throw refusal }
        if job.segmentation == nil, job.spec.segmenting.wantsSplit(durationSeconds: source.durationSeconds) {
            // The tasks it submits keep this span's context: their attempts are its children in the job's trace.
            let waiting = try await withSpan("worker.plan_segments") { _ in
                try await planSegments(job, lease: lease, input: input, source: source)
            }
            if let waiting {
                transcodeFinished()
                return waiting
            }
        }
        // The scheduler chose the device and reserved what the job holds there; the worker follows it.
        let path = try EncodePathChooser.choose(
            pool: configuration.pool.kind, inventory: inventory, placement: job.placement,
            acceleration: job.spec.acceleration
        ).get()
        let command = TranscodeCommandBuilder.build(
            input: input, source: source, outputs: job.spec.outputs, path: path, stagingDirectory: staging,
            threadsPerOutput: configuration.threadsPerOutput, encoderSpeed: job.encoderSpeed,
            ssimReferenceDirectory: configuration.measureSSIM ? attemptDirectory + "/ssim" : nil)
        logger.info(
            "transcoding", metadata: ["path": "\(path)", "ffmpeg": "\(command.arguments.joined(separator: " "))"])
        var runner = FFmpegRunner(
            tools: tools, clock: clock, stallTimeout: configuration.stallTimeout, hardCap: configuration.hardCap)
        runner.memoryLimitBytes = configuration.ffmpegMemoryLimitBytes
        let files = self.files
        let sampler = GPUMemorySampler()
        let sampling: Task<Void, Never>? =
            if case .cuda = path, let query = gpuProcessMemory {
                Task { [clock, logger] in
                    await sampler.run(every: .seconds(1), clock: clock, logger: logger, query: query)
                }
            } else {
                nil
            }
        defer { sampling?.cancel() }
        var stderrTail: [String] = []
        do {
            stderrTail = try await withSpan("worker.ffmpeg") { span in
                span.attributes["spool.ffmpeg.path"] = "\(path)"
                return try await runner.run(
                    command, sourceDurationSeconds: source.durationSeconds,
                    onStart: { pid in
                        sampler.started(pid)
                        files.writePID(pid, job: job.id, attempt: lease.attempt)
                    },
                    onProgress: { progress.set($0) }, onExit: { Self.record($0, on: span) })
            }
        } catch let error as JobError {
            throw InputDamage.classify(error, stderrTail: error.stderrTail ?? [])
        }
        sampling?.cancel()
        if case .cuda(_, let nvenc) = path, sampler.peakMiB > 0 {
            observations?.record(
                GPUMemoryObservation(
                    job: job.id, estimateKey: job.spec.estimateKey, path: nvenc ? "nvenc" : "nvdec",
                    peakMiB: sampler.peakMiB))
        }
        await releaseSlot(lease, progress: progress, freeLocalSlot: transcodeFinished)
        // ffmpeg may exit 0 on an input cut short, with outputs as short as what it could read.
        let outputs = try await validated(command, staging: staging, source: source, input: input, warnings: stderrTail)
        // Every file is in the bucket under this attempt's keys before the commit; publication follows it.
        try await upload(job, lease: lease, failure: "outputs could not be stored")
        // The key is what was asked; outputs made at a degraded encoder speed answer this job but are not offered
        // to later jobs that asked for the same outputs at full effort.
        return Produced(outputs: outputs, reusedFrom: nil, resultKey: job.encoderSpeed == .standard ? resultKey : nil)
    }

    /// ffmpeg has exited, so the attempt holds no device, session or slot while it validates and commits. The slot
    /// loop is freed first (it asks for its next job and then waits for a wake-up), then the store hears it at once
    /// rather than at the next heartbeat, and the scheduler is woken: this worker's next job starts now instead of
    /// after the commit (bench/overhead measured up to a second per job lost that way). The reply is not needed here:
    /// a lease lost meanwhile stops the attempt through the heartbeat loop as always.
    func releaseSlot(_ lease: Lease, progress: ProgressCell, freeLocalSlot: () -> Void) async {
        progress.set(.transcoded)
        freeLocalSlot()
        _ = try? await store.heartbeat(
            lease, progress: .transcoded, leaseDuration: configuration.leaseDuration, now: Date())
        schedulerWakeUp?.notify()
    }

    /// The outputs as validation finds them; a refusal explained by ffmpeg's warnings about a damaged input is that
    /// input's fault (`invalid_input`, not retried).
    func validated(
        _ command: TranscodeCommand, staging: String, source: MediaInfo, input: String, warnings: [String]
    ) async throws -> [OutputResult] {
        try await withSpan("worker.validate") { span in
            span.attributes["spool.outputs"] = command.outputs.count
            do throws(JobError) {
                return try await OutputValidator(tools: tools, prober: MediaProber(tools: tools)).validate(
                    command.outputs, stagingDirectory: staging, source: source, sourcePath: input,
                    measureSSIM: configuration.measureSSIM)
            } catch {
                throw InputDamage.classify(error, stderrTail: warnings)
            }
        }
    }

    /// The earlier job of the same tenant whose outputs answer `key`, with its files linked into `staging`; nil when
    /// there is none or it is no longer whole (then the entry is dropped and the job transcodes).
    func reuse(_ key: String, for job: Job, attempt: Int, staging: String) async -> Job? {
        let index = ResultIndex(layout: files.layout, remote: remote)
        guard let earlierID = await index.lookup(key, tenant: job.spec.tenant), earlierID != job.id else { return nil }
        guard let earlier = try? await store.job(earlierID), earlier.state == .succeeded,
            earlier.spec.tenant == job.spec.tenant,
            await index.stage(outputsOf: earlier, into: staging, job: job.id, attempt: attempt)
        else {
            await index.forget(key, tenant: job.spec.tenant)
            try? FileManager.default.removeItem(atPath: staging)
            try? FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
            return nil
        }
        return earlier
    }

    /// ffprobe's view of the input, from the shared (L2) cache when the same bytes were probed before.
    func probe(_ input: String, digest: String?) async throws -> MediaInfo {
        try await withSpan("worker.probe") { span in
            let key = digest.map { "probe:" + $0 }
            if let key, let cache = sharedCache, let cached = await cache.cachedValue(for: key),
                let info = try? JSONDecoder().decode(MediaInfo.self, from: Data(cached.utf8))
            {
                span.attributes["spool.probe.cached"] = true
                return info
            }
            let info = try await MediaProber(tools: tools).probe(path: input)
            if let key, let cache = sharedCache, let encoded = try? JSONEncoder().encode(info) {
                await cache.cache(String(decoding: encoded, as: UTF8.self), for: key, lifetime: .seconds(7 * 86400))
            }
            span.attributes["spool.probe.cached"] = false
            span.attributes["spool.input.duration_seconds"] = info.durationSeconds
            return info
        }
    }

    func stageInput(_ source: InputSource, tenant: TenantID, attemptDirectory: String) async throws(JobError) -> String
    {
        switch source {
        case .file(let path):
            // A tenant with a key reads files only from its own directory, whatever input roots the host has.
            let access = inputAccess.scoped(to: tenant)
            do {
                return try access.resolveFile(path)
            } catch {
                // A refusal by the rules (outside the roots, not a regular file) fails the same way every time; a
                // file that cannot be read now may be back on the next attempt (a remounted volume).
                throw JobError(
                    code: error.rule == "input_missing" ? .inputUnavailable : .invalidInput, message: error.message)
            }
        case .upload(let id):
            let path = files.layout.upload(id, tenant: tenant)
            if let remote {
                let destination = attemptDirectory + "/input"
                do {
                    try await remote.objects.download(
                        ObjectKey(checked: files.layout.key(of: path)), toFile: destination)
                } catch .notFound {
                    throw JobError(code: .inputNotFound, message: "upload \(id) is gone from \(remote.objects.name)")
                } catch {
                    throw JobError(code: .inputUnavailable, message: "upload \(id) could not be fetched: \(error)")
                }
                return destination
            }
            guard FileManager.default.fileExists(atPath: path) else {
                throw JobError(code: .inputUnavailable, message: "upload \(id) is gone from \(files.layout.uploads)")
            }
            return path
        case .object(let bucket, let key):
            guard inputAccess.scoped(to: tenant).policy.allowsObject(bucket: bucket, key: key), let objectInputs else {
                throw JobError(code: .inputUnavailable, message: "s3://\(bucket)/\(key) may not be read by this job")
            }
            let destination = attemptDirectory + "/input"
            let uri = "s3://\(bucket)/\(key)"
            if let inputCache, inputCache.copy(uri, to: destination) {
                logger.info("input from the local cache", metadata: ["input": "\(uri)"])
                return destination
            }
            do {
                try await objectInputs.download(bucket: bucket, key: key, toFile: destination)
            } catch .notFound {
                throw JobError(code: .inputNotFound, message: "\(uri) does not exist")
            } catch {
                throw JobError(code: .inputUnavailable, message: "\(uri) could not be fetched: \(error)")
            }
            inputCache?.adopt(uri, from: destination)
            return destination
        case .http(let url):
            let destination = attemptDirectory + "/input"
            if let inputCache, inputCache.copy(url, to: destination) {
                logger.info("input from the local cache", metadata: ["input": "\(url)"])
                return destination
            }
            try await InputFetcher(access: inputAccess).fetch(url, to: destination)
            inputCache?.adopt(url, from: destination)
            return destination
        }
    }

    /// Empties a stopped attempt's prefix again later (`AttemptObjects.sweepLateUploads`): an upload already on the
    /// wire when the attempt stopped can land after the discard (the hosts suite's partition scenario saw one).
    func discardLateUploads(_ job: JobID, attempt: Int, from remote: AttemptObjects) {
        let clock = clock
        Task { await remote.sweepLateUploads(job, attempt: attempt, at: AttemptRunner.lateUploadSweeps, clock: clock) }
    }

    /// When a stopped attempt's prefix is emptied again, after the first discard.
    static var lateUploadSweeps: [Duration] { [.seconds(10), .seconds(40)] }

    /// Tells the store how the attempt ended (with what it used) and performs the effects the lifecycle returns.
    /// Returns the job's state after the write; nil when nothing was written.
    @discardableResult
    func settle(_ job: Job, lease: Lease, outcome: Outcome, usage: AttemptUsage? = nil, logger: Logger) async
        -> JobState?
    {
        let event: JobEvent?
        switch outcome {
        case .finished(.success(let produced)) where produced.awaitSegmentsUntil != nil:
            event = .awaitSegments(lease, until: produced.awaitSegmentsUntil ?? Date(), usage: usage)
        case .finished(.success(let produced)):
            event = .succeed(
                lease, outputs: produced.outputs, reusedFrom: produced.reusedFrom, resultKey: produced.resultKey,
                usage: usage)
        case .finished(.failure(let error)): event = .fail(lease, error, usage: usage)
        case .interrupted: event = .handBack(lease, usage: usage)
        case .stopped: event = nil
        }
        guard let event else {
            files.discard(job.id, attempt: lease.attempt)
            if let remote {
                await remote.discard(job.id, attempt: lease.attempt)
                discardLateUploads(job.id, attempt: lease.attempt, from: remote)
            }
            logger.warning(
                "attempt stopped by the store (its lease is gone); discarding its files",
                metadata: ["reason": "\(outcome)"])
            Counter(label: "spool_attempts_total", dimensions: [("outcome", "stopped")]).increment()
            return nil
        }
        do {
            let transition = try await withSpan("worker.commit") { span in
                try await commit(event, job: job, lease: lease, outcome: outcome, logger: logger, span: span)
            }
            if let task = job.spec.segment, transition.job.state.isTerminal { await wakeParent(of: task) }
            let label: String
            switch transition.job.state {
            case .succeeded: label = "succeeded"
            case .failed: label = "failed"
            case .queued where transition.job.segmentation?.isSplit == true && outcomeAwaitsSegments(outcome):
                label = "awaiting_segments"
            case .queued: label = outcomeIsHandBack(outcome) ? "handed_back" : "retried"
            default: label = transition.job.state.rawValue
            }
            Counter(label: "spool_attempts_total", dimensions: [("outcome", label)]).increment()
            logger.info(
                "attempt settled",
                metadata: [
                    "state": "\(transition.job.state.rawValue)", "error": "\(transition.job.error?.message ?? "-")",
                ])
            return transition.job.state
        } catch {
            // The commit was refused (a stale lease) or the store is away: this attempt's files must not survive.
            files.discard(job.id, attempt: lease.attempt)
            await remote?.discard(job.id, attempt: lease.attempt)
            logger.warning("attempt could not be settled; discarding its files", metadata: ["error": "\(error)"])
            Counter(label: "spool_attempts_total", dimensions: [("outcome", "refused")]).increment()
            return nil
        }
    }

    /// The settling write and the effects the lifecycle returns for it (publishing or discarding the attempt's
    /// files), in the attempt's `worker.commit` span.
    private func commit(
        _ event: JobEvent, job: Job, lease: Lease, outcome: Outcome, logger: Logger, span: any Span
    ) async throws -> Transition {
        span.attributes["spool.commit.event"] = Self.eventName(event)
        let transition = try await applyRetrying(event, to: job, lease: lease, outcome: outcome, logger: logger)
        span.attributes["spool.job.state"] = transition.job.state.rawValue
        for effect in transition.effects {
            switch effect {
            case .publishOutputs(let attempt):
                if remote != nil {
                    // The commit made this attempt's objects the outputs; only local scratch is left.
                    files.discard(job.id, attempt: attempt)
                } else {
                    try files.publish(job.id, attempt: attempt)
                }
                if case .finished(.success(let produced)) = outcome, let key = produced.resultKey {
                    try? await ResultIndex(layout: files.layout, remote: remote).record(
                        key, job: job.id, tenant: job.spec.tenant)
                }
            case .discardAttempt(let attempt):
                files.discard(job.id, attempt: attempt)
                await remote?.discard(job.id, attempt: attempt)
            case .stopAttempt, .deliverWebhook: break
            }
        }
        return transition
    }

    /// The settling write, tried again a few times when the store (not the lifecycle) refused it. A failed attempt's
    /// files go first: on a full disk they are what keeps an embedded store from recording the failure, and a failure
    /// that is not recorded would hold the job until its lease runs out and then count against it.
    func applyRetrying(_ event: JobEvent, to job: Job, lease: Lease, outcome: Outcome, logger: Logger) async throws
        -> Transition
    {
        var tries = 0
        while true {
            do {
                return try await store.apply(event, to: job.id, now: Date())
            } catch let error as LifecycleError {
                // An earlier try may have been recorded although its reply never came back.
                if tries > 0, let stored = try? await store.job(job.id),
                    let recorded = JobLifecycle.alreadyRecorded(event, in: stored)
                {
                    logger.info("the earlier try to record the attempt had been recorded; its reply was lost")
                    return recorded
                }
                throw error
            } catch {
                tries += 1
                guard tries < 4 else { throw error }
                if case .finished(.failure) = outcome {
                    files.discard(job.id, attempt: lease.attempt)
                    await remote?.discard(job.id, attempt: lease.attempt)
                }
                logger.warning(
                    "could not record how the attempt ended; trying again", metadata: ["error": "\(error)"])
                try? await clock.sleep(for: .seconds(1))
            }
        }
    }

    private func outcomeAwaitsSegments(_ outcome: Outcome) -> Bool {
        if case .finished(.success(let produced)) = outcome { return produced.awaitSegmentsUntil != nil }
        return false
    }

    private func outcomeIsHandBack(_ outcome: Outcome) -> Bool {
        if case .interrupted = outcome { return true }
        return false
    }
}
