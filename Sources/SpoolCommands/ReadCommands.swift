import ArgumentParser
import Foundation
import SpoolClient
import SpoolCore
import SpoolScheduling

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show one job: state, progress, outputs, error.")

    @Argument(help: "The job ID (job_…).") var id: String
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var options: ClientOptions

    func run() async throws {
        let client = try options.client
        let job = try await reportingErrors { try await client.job(JobID(rawValue: id)) }
        if json { try Terminal.printJSON(job) } else { JobPrinter.printDetail(job) }
    }
}

struct Placement: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Explain where the scheduler placed a job, or why it waits.",
        discussion: """
            Shows the scheduler's latest decision: the chosen worker and device, the best candidates with each \
            plugin's normalised score and the weighted total, and the devices that were refused with the filter \
            that refused them and why.

            Example:
              spool placement job_8f3k2m9x1q0w4e7r
            """)

    @Argument(help: "The job ID (job_…).") var id: String
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var options: ClientOptions

    func run() async throws {
        let client = try options.client
        let explanation = try await reportingErrors { try await client.placement(JobID(rawValue: id)) }
        if json { return try Terminal.printJSON(explanation) }
        print("\(explanation.job.rawValue): \(explanation.outcome.rawValue) (profile \(explanation.profile))")
        if let chosen = explanation.chosen {
            print("  on \(chosen.worker.rawValue) \(chosen.device), score \(String(format: "%.1f", chosen.total ?? 0))")
        }
        if let reason = explanation.waitingReason { print("  waiting: \(reason)") }
        print(
            "  \(explanation.devicesEvaluated) of \(explanation.devicesInScope) devices evaluated, "
                + "\(explanation.feasible) feasible")
        let feasible = explanation.candidates.filter { $0.refusedBy == nil }
        if let plugins = feasible.first?.scores.map(\.plugin), !plugins.isEmpty {
            print(
                Terminal.table(
                    ["worker", "device", "total"] + plugins,
                    feasible.map { candidate in
                        [candidate.worker.rawValue, candidate.device, String(format: "%.1f", candidate.total ?? 0)]
                            + candidate.scores.map { String(format: "%.0f", $0.normalized) }
                    }))
        }
        for refused in explanation.candidates where refused.refusedBy != nil {
            print(
                "  refused \(refused.worker.rawValue) \(refused.device) by \(refused.refusedBy!): \(refused.reason ?? "")"
            )
        }
    }
}

struct Jobs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List jobs, newest first.")

    @Option(help: "Only jobs in this state: queued, running, succeeded, failed or cancelled.") var state: JobState?
    @Option(help: "How many jobs (1…500).") var limit = 20
    @Option(help: "Continue from a previous page's cursor.") var cursor: String?
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var options: ClientOptions

    func run() async throws {
        let client = try options.client
        let page = try await reportingErrors { try await client.jobs(state: state, limit: limit, cursor: cursor) }
        if json { return try Terminal.printJSON(page) }
        if page.jobs.isEmpty { return print("no jobs") }
        print(
            Terminal.table(
                ["id", "state", "progress", "pool", "attempts", "created", "input"],
                page.jobs.map { job in
                    [
                        job.id.rawValue, job.state.rawValue, "\(Int(job.progress * 100))%", job.pool ?? "-",
                        "\(job.attempts)", job.createdAt.formatted(.iso8601), job.input,
                    ]
                }))
        if let next = page.nextCursor { print("more: spool jobs --cursor \(next)") }
    }
}

extension JobState: ExpressibleByArgument {}

struct Cancel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Cancel a queued or running job; its ffmpeg is stopped and partial files removed.")

    @Argument(help: "The job ID (job_…).") var id: String
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var options: ClientOptions

    func run() async throws {
        let client = try options.client
        let job = try await reportingErrors { try await client.cancel(JobID(rawValue: id)) }
        if json { try Terminal.printJSON(job) } else { print("\(job.id.rawValue) \(job.state.rawValue)") }
    }
}

struct Retry: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send a failed (dead-lettered) or cancelled job back to the queue with a fresh retry budget.")

    @Argument(help: "The job ID (job_…).") var id: String
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var options: ClientOptions

    func run() async throws {
        let client = try options.client
        let job = try await reportingErrors { try await client.retry(JobID(rawValue: id)) }
        if json { try Terminal.printJSON(job) } else { print("\(job.id.rawValue) \(job.state.rawValue)") }
    }
}

struct DeadLetters: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dead-letters",
        abstract:
            "List poison jobs: failed after using up their attempts, with the last error. `spool retry ID` requeues one."
    )

    @Option(help: "How many jobs.") var limit = 20
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var options: ClientOptions

    func run() async throws {
        let client = try options.client
        let page = try await reportingErrors { try await client.deadLetters(limit: limit) }
        if json { return try Terminal.printJSON(page) }
        if page.jobs.isEmpty { return print("no dead letters") }
        print(
            Terminal.table(
                ["id", "attempts", "error", "finished"],
                page.jobs.map { job in
                    [
                        job.id.rawValue, "\(job.attempts)",
                        job.error.map { "\($0.code.rawValue): \($0.message)" } ?? "-",
                        job.finishedAt?.formatted(.iso8601) ?? "-",
                    ]
                }))
    }
}

struct Workers: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List workers with their devices, slots and running jobs.")

    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var options: ClientOptions

    func run() async throws {
        let client = try options.client
        let workers = try await reportingErrors { try await client.workers() }
        if json { return try Terminal.printJSON(workers) }
        if workers.isEmpty { return print("no workers") }
        print(
            Terminal.table(
                ["worker", "pool", "kind", "host", "slots", "busy", "capacity", "devices"],
                workers.map { worker in
                    [
                        // The capacity type, when an actuator started it in a spot pool's part: "cuda spot".
                        worker.id.rawValue, worker.pool,
                        worker.poolKind.rawValue + (worker.capacityType.map { " \($0.rawValue)" } ?? ""), worker.host,
                        "\(worker.slots)", "\(worker.running.count)", Self.describe(worker.capacity),
                        Self.describe(worker.devices),
                    ]
                }))
    }

    /// `g6.xlarge spot 0.32 USD/h`; "-" for a worker told nothing, "?" for a price nobody gave.
    static func describe(_ capacity: CapacityPrice?) -> String {
        guard let capacity else { return "-" }
        let price = capacity.pricePerHour.map { String(format: "%.4g \(CapacityPrice.currency)/h", $0) } ?? "? /h"
        return [capacity.instanceType, capacity.capacityType.rawValue, price].compactMap { $0 }.joined(separator: " ")
    }

    static func describe(_ devices: DeviceInventory?) -> String {
        guard let devices else { return "-" }
        var parts = ["\(devices.cpuCores) cores", "ffmpeg \(devices.ffmpeg.ffmpegVersion)"]
        parts += devices.opencl.map { "OpenCL \($0.name)" }
        parts += devices.gpus.map { "\($0.name) (NVENC \($0.engines.nvenc), NVDEC \($0.engines.nvdec))" }
        return parts.joined(separator: ", ")
    }
}

struct PresetsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "presets", abstract: "List the named output presets.")

    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var options: ClientOptions

    func run() async throws {
        let client = try options.client
        let presets = try await reportingErrors { try await client.presets() }
        if json { return try Terminal.printJSON(presets) }
        print(Terminal.table(["preset", "what"], presets.map { [$0.name, $0.summary] }))
    }
}
