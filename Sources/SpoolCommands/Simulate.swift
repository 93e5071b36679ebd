import ArgumentParser
import Foundation
import SpoolCore
import SpoolSimulation

struct Simulate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replay a day of load in virtual time and compare autoscaling policies side by side.",
        discussion: """
            Runs the real scheduler, GPU memory ledger and autoscaler with no ffmpeg and no sleeping: a built-in \
            24-hour workload (a diurnal wave with Poisson arrivals, bursts and a retry storm after an outage) or a \
            CSV trace, on a pool of L4 workers that boot, drain and lose spot instances. For each policy it prints \
            queue wait (p50/p99, and p95 per class), SLO violations per class (realtime/standard/batch), \
            utilisation, GPU-hours, the share bought as spot, cost, scale events, and the preemptions and \
            degradations the production scheduler made; the same seed always gives the same report. It also \
            compares session-aware packing (several jobs per GPU) with one job per whole GPU. With hpa and \
            predictive+cost in the run, the last two lines are cost_ratio_vs_hpa (its cost over the HPA rule's) and \
            slo_violations (its misses over every class).

            Trace columns (with this header): arrival_seconds,tenant,class,preset,seconds_gpu,seconds_cpu

            Examples:
              spool simulate
              spool simulate --policies hpa,predictive+cost,fixed-120 --svg day.svg
              spool simulate --trace load.csv --json > report.json
              spool simulate --segments --gpus 16
              spool simulate --fleet 10000 --in-flight 100000
              spool simulate --two-clouds

            Fleet scale: --fleet N models a pool of at most N workers (one L4 each, 8 jobs at once); with no \
            --policies it runs one fixed fleet of N workers and skips the packing comparison, so the run is one \
            policy at that scale. --in-flight M scales the built-in day so that about M jobs are in flight at its \
            peak (the same knob as --peak). The wall time of the run goes to stderr, and into --json as \
            wall_seconds. While it runs, a progress bar on stderr shows the simulated hours reached, when stderr \
            is a terminal (not with TERM=dumb); it is cleared at the end, and the report on stdout never has it.

            With --two-clouds the fleet is two pools in two clouds, each scaled by its own autoscaler: aws-l4 \
            (g6.xlarge, us-east-1) and gcp-l4 (g2-standard-4, us-central1), at most 150 workers each, with inputs \
            stored 55 % in S3, 25 % in GCS and 20 % in R2 (no egress), and internet egress at $0.09/GB (AWS) and \
            $0.12/GB (GCP), 1 GB per input. Realtime and standard jobs are pinned to the cloud their input is in; \
            batch jobs are not, and the predictive+cost policy routes their demand to the cheapest pool that can take \
            them, unless moving the input costs more than it saves. Each policy then prints what each provider was \
            paid: GPU-hours, spot share, compute, egress, and the attempts that read an input from another cloud. \
            --clouds FILE runs your own fleet instead: the `cloud` object of `spool simulate --two-clouds --json` \
            is a complete example (pools with provider, region and fleet; inputs with prefix, provider and share; \
            egress_per_gb; assumed_input_gb), and a pool's fleet may leave out any field to keep its default.

            With --segments it models segment-parallel encoding of long inputs instead: the production segment \
            planner and placement planner on a fixed GPU fleet, one 2-hour input alone (whole-file against \
            segmented) and a stream of long inputs (time to output p50/p95 with and without segmenting).
            """)

    @Option(help: "Seed of the built-in workload and of spot interruptions.") var seed: UInt64 = 42
    @Option(help: "Hours of the built-in workload.") var hours: Double = 24
    @Option(
        name: [.customLong("in-flight"), .customLong("peak")],
        help: "Jobs in flight at the peak of the built-in workload (--peak is the same).")
    var peak: Double = 1_500
    @Option(help: "A fleet of at most N workers; alone it runs fixed-N only, without the packing comparison.")
    var fleet: Int?
    @Option(help: "A CSV trace to replay instead of the built-in workload.") var trace: String?
    @Option(
        help: "Policies, comma-separated: hpa, predictive, predictive+cost, fixed-N (default: all, fixed at the peak).")
    var policies: String?
    @Option(help: "Most workers the pool may have.") var maxWorkers: Int?
    @Option(help: "Share of job slots the autoscaler aims to keep busy (default 0.85).") var targetUtilisation: Double?
    @Option(help: "Write an SVG chart of load, workers and wait over time here.") var svg: String?
    @Flag(help: "Skip the whole-GPU packing comparison (halves the run time).") var noPacking = false
    @Option(
        help: ArgumentHelp(
            "Let predictive+cost keep batch jobs waiting past their deferral (1800 s) for a forecast trough, until the "
                + "oldest has waited this long (as batch_trough_wait_seconds does in production).",
            valueName: "seconds"))
    var batchTroughWait: Double?
    @Flag(help: "Print the report as one JSON document.") var json = false
    @Flag(help: "Run a fleet of two pools in two clouds (AWS and GCP) and report cost per provider (see below).")
    var twoClouds = false
    @Option(
        help: ArgumentHelp(
            "Run the fleet over several clouds described in this JSON file (see below).", valueName: "file"))
    var clouds: String?
    @Flag(help: "Model segment-parallel encoding of long inputs on a fixed GPU fleet instead (see below).")
    var segments = false
    @Option(help: "GPUs of the fixed fleet --segments models.") var gpus = 16
    @Option(help: "Segment length --segments models, in seconds.") var segmentSeconds = 30
    @Option(help: "Long inputs in the stream --segments models.") var longJobs = 40

    func run() async throws {
        if segments { return try runSegments() }
        let started = ContinuousClock.now
        guard trace != nil || (hours > 0 && hours <= 24 * 7 && peak > 0) else {
            throw ValidationError("--hours takes 0 < h ≤ 168 and --peak a positive number of jobs")
        }
        let plan = try simulationPlan()
        let cloud = try cloudFleet()
        let progress = SimulationProgress()
        let display = SimulationProgressDisplay.startIfInteractive(progress)
        // Followed only when something draws it: on a pipe the runs do exactly what they did before.
        let outcome = Result { try simulate(plan, cloud: cloud, progress: display == nil ? nil : progress) }
        display?.stop()
        var report = try outcome.get()
        let wall = (ContinuousClock.now - started).seconds
        report.wallSeconds = wall
        // On stderr, so that the printed report stays the same bytes for the same seed.
        FileHandle.standardError.write(
            Data(
                String(format: "simulated %g h in %.1f s wall\n", report.workload.hours, wall).utf8))
        if let svg {
            try SVGChart(report: report).svg().write(toFile: svg, atomically: true, encoding: .utf8)
        }
        if json {
            FileHandle.standardOutput.write(try report.json())
            print()
            return
        }
        print(
            "\(report.workload.jobs) jobs over \(String(format: "%.0f", report.workload.hours)) h "
                + "(peak offered load \(String(format: "%.0f", report.workload.peakOfferedLoad)) jobs), seed \(seed)")
        print(
            Terminal.table(
                [
                    "policy", "p50 wait", "p99 wait", "p95 wait rt/std/batch", "SLO missed rt/std/batch",
                    "utilisation", "GPU-hours", "spot", "cost", "scale events", "peak workers", "preempted", "degraded",
                ],
                report.policies.map { policy in
                    let byClass = policy.waitsByClass
                    let missed = policy.sloViolations
                    return [
                        policy.policy, Self.seconds(policy.queueWait.p50Seconds),
                        Self.seconds(policy.queueWait.p99Seconds),
                        [byClass.realtime, byClass.standard, byClass.batch].map { Self.seconds($0.p95Seconds) }
                            .joined(separator: " / "),
                        "\(missed.realtime) / \(missed.standard) / \(missed.batch)",
                        String(format: "%.0f%%", policy.utilisation * 100), String(format: "%.0f", policy.gpuHours),
                        String(format: "%.0f%%", policy.spotShare * 100), String(format: "$%.0f", policy.cost),
                        "\(policy.scaleEvents)", "\(policy.peakWorkers)",
                        "\(policy.preemptions)", "\(policy.degradations)",
                    ]
                }))
        if report.cloud != nil {
            print("cost by provider:")
            print(
                Terminal.table(
                    [
                        "policy", "provider", "GPU-hours", "spot", "compute", "egress", "cost", "attempts",
                        "input from another cloud",
                    ],
                    report.policies.flatMap { policy in
                        (policy.providers ?? []).map { provider in
                            [
                                policy.policy, provider.provider, String(format: "%.0f", provider.gpuHours),
                                String(format: "%.0f%%", provider.spotShare * 100),
                                String(format: "$%.0f", provider.computeCost),
                                String(format: "$%.0f", provider.egressCost), String(format: "$%.0f", provider.cost),
                                "\(provider.attempts)", "\(provider.attemptsWithRemoteInput)",
                            ]
                        }
                    }))
        }
        if let packing = report.packing {
            print(
                "packing (\(packing.policy)): \(String(format: "%.1f", packing.sessionAware.jobsPerGPUHour)) jobs per "
                    + "GPU-hour with several jobs per GPU, \(String(format: "%.1f", packing.wholeGPU.jobsPerGPUHour)) "
                    + "with one job per whole GPU: \(String(format: "%.2f", packing.ratio))x")
        }
        if let svg { print("chart: \(svg)") }
        if let goal = report.costGoal {
            print(
                "\(goal.policy) against hpa: cost × \(String(format: "%.3f", goal.costRatioVsHPA)), GPU-hours × "
                    + "\(String(format: "%.3f", goal.gpuHoursRatioVsHPA)), \(goal.sloViolations) SLO violations in all "
                    + "classes (goal: cost ≤ 0.55 and GPU-hours ≤ 1.0 at 0 violations)")
            print("cost_ratio_vs_hpa: \(String(format: "%.3f", goal.costRatioVsHPA))")
            print("slo_violations: \(goal.sloViolations)")
        }
    }

    /// What to run: the policies (nil: the standard four), the fleet, and whether to compare packing.
    typealias Plan = (policies: [ScalingPolicy]?, fleet: FleetSettings, comparePacking: Bool)

    /// What the options ask to simulate: the policies (nil for the standard set), the fleet, and whether to compare
    /// packing. `--fleet N` bounds the pool at N workers; without `--policies` it means a fixed fleet of N, alone,
    /// since the standard set and the whole-GPU rerun would be five runs at fleet scale instead of one.
    func simulationPlan() throws -> Plan {
        var chosen: [ScalingPolicy]?
        if let policies {
            chosen = try policies.split(separator: ",").map { name in
                guard let policy = ScalingPolicy(name: String(name).trimmingCharacters(in: .whitespaces)) else {
                    throw ValidationError("unknown policy '\(name)'; use hpa, predictive, predictive+cost or fixed-N")
                }
                return policy
            }
        }
        if (twoClouds || clouds != nil) && (fleet != nil || maxWorkers != nil || targetUtilisation != nil) {
            throw ValidationError(
                "--two-clouds and --clouds bring their own pools; leave out --fleet, --max-workers and "
                    + "--target-utilisation")
        }
        var settings = FleetSettings()
        var comparePacking = !noPacking
        let deferral = SimulationSettings().batchDeferralSeconds
        if let wait = batchTroughWait, !(wait >= deferral && wait.isFinite) {
            throw ValidationError(
                "--batch-trough-wait takes seconds from \(Int(deferral)) on: batch waits for a trough only after its "
                    + "\(Int(deferral)) s deferral")
        }
        if let fleet {
            guard (1...1_000_000).contains(fleet) else { throw ValidationError("--fleet takes 1…1000000 workers") }
            settings.maxWorkers = fleet
            settings.minWorkers = min(settings.minWorkers, fleet)
            if chosen == nil {
                chosen = [.fixed(workers: fleet)]
                comparePacking = false
            }
        }
        if let maxWorkers { settings.maxWorkers = maxWorkers }
        if let targetUtilisation {
            guard targetUtilisation > 0, targetUtilisation <= 1 else {
                throw ValidationError("--target-utilisation takes a share between 0 and 1")
            }
            settings.targetUtilisation = targetUtilisation
        }
        return (chosen, settings, comparePacking)
    }

    /// The fleet over clouds the options ask for: the built-in two, one read from `--clouds`, or none.
    func cloudFleet() throws -> CloudFleet? {
        if twoClouds && clouds != nil { throw ValidationError("use --two-clouds or --clouds FILE, not both") }
        if twoClouds { return .awsAndGCP }
        guard let clouds else { return nil }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: clouds))
        } catch {
            throw ValidationError("cannot read \(clouds): \(error.localizedDescription)")
        }
        let fleet: CloudFleet
        do {
            fleet = try JSONDecoder().decode(CloudFleet.self, from: data)
        } catch {
            throw ValidationError("\(clouds) is not a cloud fleet: \(error)")
        }
        if let problem = fleet.problem { throw ValidationError("\(clouds): \(problem)") }
        return fleet
    }

    static func seconds(_ value: Double) -> String { String(format: value < 10 ? "%.1f s" : "%.0f s", value) }

    /// The workload (the built-in day or the trace) and its runs, reporting to `progress` as they go.
    private func simulate(
        _ plan: Plan, cloud: CloudFleet?, progress: SimulationProgress?
    ) throws -> SimulationReport {
        let workload: SpoolSimulation.Workload
        if let trace {
            let text: String
            do {
                text = try String(contentsOfFile: trace, encoding: .utf8)
            } catch {
                throw ValidationError("cannot read \(trace): \(error.localizedDescription)")
            }
            do {
                workload = try TraceReader().read(text, name: trace)
            } catch {
                throw ValidationError("\(trace): \(error)")
            }
        } else {
            workload = DiurnalWorkload(durationSeconds: hours * 3_600, peakConcurrency: peak).generate(seed: seed)
        }
        let simulator = Simulator(
            workload: workload, fleet: plan.fleet,
            settings: SimulationSettings(
                seed: seed, comparePacking: plan.comparePacking, batchTroughWaitSeconds: batchTroughWait),
            cloud: cloud)
        return try simulator.run(policies: plan.policies, progress: progress)
    }

    /// `--segments`: one 2-hour input alone, then a stream of long inputs, each whole-file and segmented.
    func runSegments() throws {
        guard (1...10_000).contains(gpus), SegmentingRequest.secondsRange.contains(segmentSeconds), longJobs > 0 else {
            throw ValidationError("--gpus takes 1…10000, --segment-seconds 2…3600, --long-jobs a positive count")
        }
        let started = ContinuousClock.now
        var settings = SegmentSimulation.Settings()
        settings.gpus = gpus
        settings.segmentSeconds = segmentSeconds
        let simulation = SegmentSimulation(settings: settings)
        let single = try simulation.speedup(hours: 2)
        let stream = SegmentSimulation.longJobs(count: longJobs, meanGapSeconds: 240, seed: seed)
        let whole = try simulation.run(stream, segmenting: false)
        let split = try simulation.run(stream, segmenting: true)
        let speedup = single.whole / max(single.split, 1e-9)
        if json {
            try Terminal.printJSON(
                SegmentReport(
                    settings: settings, twoHourWholeSeconds: single.whole, twoHourSegmentedSeconds: single.split,
                    speedup: speedup, longJobs: stream.count, wholeP50: whole.p50, wholeP95: whole.p95,
                    segmentedP50: split.p50, segmentedP95: split.p95, tasks: split.tasks))
            return
        }
        print(
            "segmenting on \(gpus) × \(settings.gpuModel) (\(Int(settings.engineFramesPerSecond)) fps per NVENC engine), "
                + "\(segmentSeconds) s segments, the production segment and placement planners")
        print(
            String(
                format: "one 2-hour input alone: whole-file %.0f s, segmented %.0f s", single.whole, single.split))
        print(
            String(
                format: "%d long inputs (10 min to 2 h, one every ~4 min): time to output p50/p95 whole-file "
                    + "%.0f / %.0f s, segmented %.0f / %.0f s (%d tasks)", stream.count, whole.p50, whole.p95,
                split.p50, split.p95, split.tasks))
        print(String(format: "simulated in %.1f s", (ContinuousClock.now - started).seconds))
        print(String(format: "segment_speedup_%d_gpus: %.2f", gpus, speedup))
    }
}

/// What `spool simulate --segments --json` prints.
struct SegmentReport: Encodable {
    var settings: SegmentSimulation.Settings
    var twoHourWholeSeconds: Double
    var twoHourSegmentedSeconds: Double
    var speedup: Double
    var longJobs: Int
    var wholeP50: Double
    var wholeP95: Double
    var segmentedP50: Double
    var segmentedP95: Double
    var tasks: Int

    enum CodingKeys: String, CodingKey {
        case settings, speedup, tasks
        case twoHourWholeSeconds = "two_hour_whole_seconds"
        case twoHourSegmentedSeconds = "two_hour_segmented_seconds"
        case longJobs = "long_jobs"
        case wholeP50 = "whole_p50_seconds"
        case wholeP95 = "whole_p95_seconds"
        case segmentedP50 = "segmented_p50_seconds"
        case segmentedP95 = "segmented_p95_seconds"
    }
}
