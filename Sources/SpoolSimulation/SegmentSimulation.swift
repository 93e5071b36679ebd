import Foundation
import SpoolCore
import SpoolDispatch
import SpoolScheduling

/// Long jobs on a fixed GPU fleet, encoded whole or in segments, in virtual time: the production segment planner
/// cuts a synthetic input (a frame every 1/fps s, a key frame every `keyFrameSeconds`) into the very tasks a worker
/// would submit, and the production placement planner places them (each task's demand from its own spec). An NVENC
/// engine encodes `engineFramesPerSecond`; tasks sharing a GPU share its engines. Fixed costs are modelled: each
/// task's start (claim, probe, validation, commit), the input's download on each worker that first runs a piece of
/// it, the planning (listing the input's packets) and the join (stream copy and validation).
public struct SegmentSimulation: Sendable {
    public struct Settings: Sendable, Codable, Equatable {
        public var gpus = 16
        public var gpuModel = "NVIDIA L4"
        /// One NVENC engine at 1080p30 → 720p, frames per second (numbers.md: ~300–900 at P4…P1).
        public var engineFramesPerSecond = 450.0
        public var frameRate = 30.0
        public var keyFrameSeconds = 2.0
        public var segmentSeconds = SegmentingRequest.defaultSeconds
        /// Claim, probe, validation and commit of one task.
        public var taskOverheadSeconds = 1.5
        /// The input's bitrate, for its download to each worker (once per job and worker; the input cache keeps it).
        public var inputMbps = 8.0
        public var downloadGbps = 10.0
        /// Listing the packets of an hour of input (demuxing only) by one ffprobe: 4 minutes of 15.7 Mbit/s 1080p
        /// (470 MB, 7,200 packets) took 0.25–0.28 s here from the page cache (the planner has just fetched the input),
        /// 1.5 s on a loaded machine; an hour at 8 Mbit/s (3.6 GB) about 2.1 s, taken as 2.5. Two ffprobe over halves
        /// took 0.19–0.23 s on this machine's 2 cores; the model does not count that gain.
        public var planSecondsPerHour = 2.5
        /// Seconds of input one CPU core encodes to AAC per second, per bitrate (ffmpeg's own encoder; one encoder per
        /// bitrate, one after the other in one ffmpeg): 120 s of stereo 48 kHz pink noise at 128 kbit/s took 2.1 s
        /// here (57×), sine and noise 2.4 s (49×). A whole-file encode runs it on the CPU beside NVENC, so its time
        /// is the longer of the two; a segmented job runs one audio piece per segment.
        public var audioRealtimeFactor = 50.0
        /// Joining an hour of 720p output (about 1.35 GB at 3 Mbit/s): by stream copy with `+faststart` (470 MB took
        /// 0.51–0.82 s here, about 1.7 ms/MB), counting its packets to validate it (0.17 s for 470 MB), uploading it
        /// at 10 Gbit/s (1.1 s), and sampling its SSIM (a window of at most 10 s): about 5 s.
        public var joinSecondsPerHour = 5.0
        public var tickSeconds = 0.25
        public var preset = "web-720p"

        public init() {}

        enum CodingKeys: String, CodingKey {
            case gpus, preset
            case gpuModel = "gpu_model"
            case engineFramesPerSecond = "engine_fps"
            case frameRate = "frame_rate"
            case keyFrameSeconds = "key_frame_seconds"
            case segmentSeconds = "segment_seconds"
            case taskOverheadSeconds = "task_overhead_seconds"
            case inputMbps = "input_mbps"
            case downloadGbps = "download_gbps"
            case planSecondsPerHour = "plan_seconds_per_hour"
            case joinSecondsPerHour = "join_seconds_per_hour"
            case tickSeconds = "tick_seconds"
            case audioRealtimeFactor = "audio_realtime_factor"
        }
    }

    /// A long input arriving at `arrival`.
    public struct LongJob: Sendable, Codable, Equatable {
        public var arrival: Double
        public var inputSeconds: Double

        public init(arrival: Double, inputSeconds: Double) {
            self.arrival = arrival
            self.inputSeconds = inputSeconds
        }
    }

    public struct Outcome: Sendable, Codable, Equatable {
        /// Seconds from arrival to the published output, per job, in arrival order.
        public var timeToOutput: [Double]
        public var tasks: Int
        public var p50: Double { Self.percentile(timeToOutput, 0.5) }
        public var p95: Double { Self.percentile(timeToOutput, 0.95) }

        static func percentile(_ values: [Double], _ q: Double) -> Double {
            guard !values.isEmpty else { return 0 }
            let sorted = values.sorted()
            return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * q).rounded()))]
        }
    }

    public var settings: Settings

    public init(settings: Settings = Settings()) {
        self.settings = settings
    }

    /// A piece of work in flight: frames left to encode on a GPU, after a fixed delay.
    private struct Work {
        var job: Int
        var id: JobID
        var delay: Double
        var frames: Double
        var placement: JobPlacement?
        var kind: Kind
        /// CPU work beside the encode (a whole-file job's audio): the work ends no sooner than this many seconds
        /// after its delay.
        var cpuSeconds = 0.0
    }

    private enum Kind { case plan, piece, companion, join, whole }

    /// Runs `jobs` encoded whole (`segmenting` false) or split, and returns each one's time to output.
    public func run(_ jobs: [LongJob], segmenting: Bool) throws(SchedulerConfigurationError) -> Outcome {
        var fleetSettings = FleetSettings(gpuModel: settings.gpuModel)
        fleetSettings.initialWorkers = settings.gpus
        var template = PolicySimulation.template(fleetSettings)
        var snapshots: [WorkerSnapshot] = []
        for index in 0..<settings.gpus {
            template.id = WorkerID(rawValue: "w\(index)")
            snapshots.append(template)
        }
        let epoch = PolicySimulation.epoch
        var fleet = FleetSnapshot(workers: snapshots, takenAt: epoch)
        var planner = try SimulatedPlacement.makePlanner(
            profile: SimulationSettings().schedulingProfile, dispatch: SimulationSettings().dispatch, seed: 7)
        let engines = Double(max(1, GPUModelCatalog.engines(forModel: settings.gpuModel).nvenc))
        let outputs = Presets.named(settings.preset)?.outputs ?? []
        let parentSpec = JobSpec(
            input: .file(path: "/simulated/long.mp4"), outputs: outputs, preset: settings.preset,
            segmenting: SegmentingRequest(mode: segmenting ? .on : .off, seconds: settings.segmentSeconds))

        var queue: [Work] = []
        var running: [Work] = []
        var specs: [JobID: JobSpec] = [:]
        var pending = [Int](repeating: 0, count: jobs.count)
        var finishedAt = [Double?](repeating: nil, count: jobs.count)
        var staged = Set<String>()  // "job/worker": the input is on that worker already
        var tasks = 0
        var serial = 0
        func newID(_ prefix: String) -> JobID {
            serial += 1
            return JobID(rawValue: "\(prefix)\(serial)")
        }
        func enqueue(_ job: Int, _ kind: Kind, frames: Double, delay: Double, spec: JobSpec, cpuSeconds: Double = 0) {
            let id = newID("t")
            specs[id] = spec
            queue.append(
                Work(job: job, id: id, delay: delay, frames: frames, placement: nil, kind: kind, cpuSeconds: cpuSeconds)
            )
        }
        let audioBitrates = Double(outputs.flatMap(\.audioBitratesKbps).count)
        func audioSeconds(_ job: Int) -> Double {
            jobs[job].inputSeconds * audioBitrates / settings.audioRealtimeFactor
        }
        func downloadSeconds(_ job: Int) -> Double {
            jobs[job].inputSeconds * settings.inputMbps / 1000 / settings.downloadGbps
        }

        var arrived = 0
        var now = 0.0
        let limit = (jobs.map(\.arrival).max() ?? 0) + jobs.map(\.inputSeconds).reduce(0, +) * 4 + 3_600
        while finishedAt.contains(where: { $0 == nil }) && now < limit {
            while arrived < jobs.count, jobs[arrived].arrival <= now {
                let job = jobs[arrived]
                if segmenting {
                    enqueue(
                        arrived, .plan, frames: 0,
                        delay: settings.taskOverheadSeconds + settings.planSecondsPerHour * job.inputSeconds / 3_600,
                        spec: parentSpec)
                } else {
                    enqueue(
                        arrived, .whole, frames: job.inputSeconds * settings.frameRate,
                        delay: settings.taskOverheadSeconds, spec: parentSpec, cpuSeconds: audioSeconds(arrived))
                }
                arrived += 1
            }
            // The production planner places what waits, in arrival order.
            if !queue.isEmpty {
                let date = epoch.addingTimeInterval(now)
                let waiting = queue.prefix(1_000).map { work -> QueuedJob in
                    var job = Job(id: work.id, spec: specs[work.id]!, now: date)
                    job.createdAt = epoch.addingTimeInterval(jobs[work.job].arrival)
                    return QueuedJob(job, version: 0)
                }
                let holding = running.compactMap { work -> HeldJob? in
                    guard let placement = work.placement else { return nil }
                    return HeldJob(
                        id: work.id, tenant: .default, serviceClass: .standard, priority: 50, placement: placement,
                        isRunning: true, startedAt: date)
                }
                let plan = planner.plan(PlacementView(now: date, waiting: waiting, holding: holding), fleet: &fleet)
                var placed: [JobID: JobPlacement] = [:]
                for commit in plan.placements { placed[commit.job] = commit.placement }
                var still: [Work] = []
                for var work in queue {
                    guard let placement = placed[work.id] else {
                        still.append(work)
                        continue
                    }
                    work.placement = placement
                    let key = "\(work.job)/\(placement.worker.rawValue)"
                    if work.kind != .join, !staged.contains(key) {
                        staged.insert(key)
                        work.delay += downloadSeconds(work.job)
                    }
                    running.append(work)
                }
                queue = still
            }
            // Engines shared by the tasks encoding on each GPU.
            var encoding: [String: Int] = [:]
            for work in running where work.delay <= 0 && work.frames > 0 {
                encoding[work.placement?.worker.rawValue ?? "", default: 0] += 1
            }
            var done: [Work] = []
            var kept: [Work] = []
            for var work in running {
                if work.delay > 0 {
                    work.delay -= settings.tickSeconds
                } else if work.frames > 0 || work.cpuSeconds > 0 {
                    work.cpuSeconds -= settings.tickSeconds
                    guard work.frames > 0 else {
                        if work.cpuSeconds > 0 { kept.append(work) } else { done.append(work) }
                        continue
                    }
                    let sharing = Double(encoding[work.placement?.worker.rawValue ?? ""] ?? 1)
                    let speed = settings.engineFramesPerSecond * min(1, engines / sharing)
                    work.frames -= speed * settings.tickSeconds
                }
                if work.delay <= 0 && work.frames <= 0 && work.cpuSeconds <= 0 {
                    done.append(work)
                } else {
                    kept.append(work)
                }
            }
            running = kept
            now += settings.tickSeconds
            for work in done {
                if let placement = work.placement { _ = fleet.release(work.id, placement: placement) }
                switch work.kind {
                case .whole, .join:
                    finishedAt[work.job] = now
                case .plan:
                    let job = jobs[work.job]
                    let frameCount = Int(job.inputSeconds * settings.frameRate)
                    let keyEvery = max(1, Int(settings.keyFrameSeconds * settings.frameRate))
                    let packets = (0..<frameCount).map {
                        SegmentPlanner.VideoPacket(pts: Double($0) / settings.frameRate, isKey: $0 % keyEvery == 0)
                    }
                    guard
                        case .split(let starts, let frames) = SegmentPlanner.plan(
                            parentSpec.segmenting, durationSeconds: job.inputSeconds, packets: packets,
                            outputs: outputs)
                    else {
                        enqueue(
                            work.job, .whole, frames: job.inputSeconds * settings.frameRate,
                            delay: settings.taskOverheadSeconds, spec: parentSpec, cpuSeconds: audioSeconds(work.job))
                        continue
                    }
                    let grid = AudioGrid(start: 0, sampleRate: 48_000)
                    let planned = SegmentPlanner.tasks(
                        parent: work.id, starts: starts, frames: frames, outputs: outputs, audio: grid,
                        end: job.inputSeconds)
                    tasks += planned.count
                    pending[work.job] = planned.count
                    for task in planned {
                        let spec = parentSpec.segmentTaskSpec(task, pool: nil)
                        switch task.piece {
                        case .video(let segment, _, _):
                            enqueue(
                                work.job, .piece, frames: Double(frames[segment]),
                                delay: settings.taskOverheadSeconds, spec: spec)
                        case .audio:
                            // One segment's audio (with its pre-roll), on the host's CPU: no NVENC engine.
                            let seconds =
                                (task.end ?? job.inputSeconds) - (task.start ?? 0)
                                + Double(AudioGrid.preRollFrames) * grid.frameSeconds
                            enqueue(
                                work.job, .companion, frames: 0, delay: settings.taskOverheadSeconds, spec: spec,
                                cpuSeconds: seconds * audioBitrates / settings.audioRealtimeFactor)
                        case .companion:
                            // Thumbnails: a few stills decoded on the host.
                            enqueue(
                                work.job, .companion, frames: 0, delay: settings.taskOverheadSeconds, spec: spec)
                        }
                    }
                case .piece, .companion:
                    pending[work.job] -= 1
                    if pending[work.job] == 0 {
                        enqueue(
                            work.job, .join, frames: 0,
                            delay: settings.taskOverheadSeconds + settings.joinSecondsPerHour
                                * jobs[work.job]
                                .inputSeconds / 3_600,
                            spec: parentSpec)
                    }
                }
            }
        }
        return Outcome(
            timeToOutput: jobs.indices.map { (finishedAt[$0] ?? limit) - jobs[$0].arrival }, tasks: tasks)
    }

    /// One input of `hours` alone on the fleet: whole-file time over segmented time.
    public func speedup(hours: Double) throws(SchedulerConfigurationError) -> (whole: Double, split: Double) {
        let job = [LongJob(arrival: 0, inputSeconds: hours * 3_600)]
        return (try run(job, segmenting: false).timeToOutput[0], try run(job, segmenting: true).timeToOutput[0])
    }

    /// A stream of long inputs (10 minutes to 2 hours), arriving about every `meanGapSeconds`.
    public static func longJobs(count: Int, meanGapSeconds: Double, seed: UInt64) -> [LongJob] {
        var random = SplitMix64(seed: seed)
        var arrival = 0.0
        return (0..<count).map { _ in
            arrival += -log(max(1e-9, random.unit())) * meanGapSeconds
            return LongJob(arrival: arrival, inputSeconds: (600 + random.unit() * 6_600).rounded())
        }
    }
}
