import Foundation
import SpoolAPIModels
import SpoolCore

enum JobPrinter {
    static func printSummary(_ job: JobView) {
        switch job.state {
        case .succeeded:
            print("\(job.id.rawValue) succeeded in \(elapsed(job)) on \(job.pool ?? "?") (attempt \(job.attempts))")
            if let earlier = job.deduplicatedFrom {
                print(
                    "  same input and outputs as \(earlier.rawValue): its outputs were reused, nothing was transcoded")
            }
            for output in job.outputs {
                var facts: [String] = [output.kind.rawValue]
                if let codec = output.codec { facts.append(codec) }
                if let width = output.width, let height = output.height { facts.append("\(width)x\(height)") }
                if let duration = output.durationSeconds { facts.append(String(format: "%.2fs", duration)) }
                facts.append(ByteCount.format(output.sizeBytes))
                if let ssim = output.ssim { facts.append(String(format: "SSIM %.3f", ssim)) }
                print("  \(output.name): \(output.uri.replacingOccurrences(of: "file://", with: ""))")
                print("    \(facts.joined(separator: ", "))")
            }
        case .failed, .cancelled:
            print("\(job.id.rawValue) \(job.state.rawValue) after \(job.attempts) attempt(s)")
            if let error = job.error {
                print("  \(error.code.rawValue): \(error.message)")
                for line in error.stderrTail?.suffix(5) ?? [] { print("    | \(line)") }
            }
        case .queued, .running:
            print("\(job.id.rawValue) \(job.state.rawValue) \(Int(job.progress * 100))%")
        }
    }

    static func printDetail(_ job: JobView) {
        var rows: [[String]] = [
            ["id", job.id.rawValue], ["state", job.state.rawValue], ["progress", "\(Int(job.progress * 100))%"],
            ["input", job.input], ["priority", "\(job.priority)"], ["class", job.serviceClass.rawValue],
            ["pool", job.pool ?? "-"], ["worker", job.worker?.rawValue ?? "-"], ["attempts", "\(job.attempts)"],
            ["created", job.createdAt.formatted(.iso8601)],
        ]
        if let fps = job.fps { rows.append(["fps", String(format: "%.1f", fps)]) }
        if let speed = job.speed { rows.append(["speed", String(format: "%.2fx", speed)]) }
        if let retry = job.retryAt { rows.append(["retry at", retry.formatted(.iso8601)]) }
        if let error = job.error { rows.append(["error", "\(error.code.rawValue): \(error.message)"]) }
        if job.acceleration != .auto { rows.append(["acceleration", job.acceleration.rawValue]) }
        if let earlier = job.deduplicatedFrom { rows.append(["reused from", earlier.rawValue]) }
        if let callback = job.callbackURL { rows.append(["callback", callback]) }
        if let expiry = job.expiresAt { rows.append(["expires", expiry.formatted(.iso8601)]) }
        if let usage = job.usage { rows.append(["usage", usageLine(usage)]) }
        if let placement = job.placement {
            let device = placement.gpu.map { "GPU \($0) (\(placement.deviceModel ?? "?"))" } ?? "host CPU"
            let demand = placement.demand
            let held =
                demand.gpuMemoryMiB > 0
                ? ", holds \(demand.gpuMemoryMiB) MiB, \(demand.encoderSessions) NVENC + \(demand.decoderSessions) NVDEC sessions"
                : ""
            rows.append([
                "placed on",
                "\(placement.worker.rawValue) \(device), \(placement.path.rawValue) path\(held) "
                    + "(spool placement \(job.id.rawValue))",
            ])
        }
        if job.evictions > 0 { rows.append(["preempted", "\(job.evictions) time(s)"]) }
        for reason in job.degradations { rows.append(["degraded", reason]) }
        if job.encoderSpeed != .standard {
            rows.append(["encoder", "\(job.encoderSpeed.rawValue) (after degradation)"])
        }
        if let parent = job.parentJob { rows.append(["segment of", parent.rawValue]) }
        if let reason = job.segments?.wholeFileReason { rows.append(["whole-file", reason]) }
        if let segments = job.segments, segments.wholeFileReason == nil {
            rows.append([
                "segments",
                "\(segments.count) (\(segments.tasks.count) tasks: \(segments.done) done, \(segments.running) running, "
                    + "\(segments.waiting) waiting)",
            ])
        }
        print(Terminal.table(["field", "value"], rows).split(separator: "\n").dropFirst().joined(separator: "\n"))
        if let segments = job.segments, !segments.tasks.isEmpty {
            print("")
            print(
                Terminal.table(
                    ["task", "from", "to", "state", "worker", "progress", "ssim", "job"],
                    segments.tasks.map { task in
                        [
                            task.name, task.start.map { String(format: "%.2fs", $0) } ?? "start",
                            task.end.map { String(format: "%.2fs", $0) } ?? "end", task.state?.rawValue ?? "-",
                            task.worker?.rawValue ?? "-", task.progress.map { "\(Int($0 * 100))%" } ?? "-",
                            task.ssim.map { String(format: "%.3f", $0) } ?? "-", task.job.rawValue,
                        ]
                    }))
        }
        if !job.outputs.isEmpty {
            print("")
            print(
                Terminal.table(
                    ["output", "kind", "codec", "size", "duration", "bytes", "ssim", "path"],
                    job.outputs.map { output in
                        [
                            output.name, output.kind.rawValue, output.codec ?? "-",
                            output.width.map { "\($0)x\(output.height ?? 0)" } ?? "-",
                            output.durationSeconds.map { String(format: "%.2fs", $0) } ?? "-",
                            ByteCount.format(output.sizeBytes), output.ssim.map { String(format: "%.3f", $0) } ?? "-",
                            output.uri.replacingOccurrences(of: "file://", with: ""),
                        ]
                    }))
        }
    }

    static func elapsed(_ job: JobView) -> String {
        guard let start = job.startedAt, let end = job.finishedAt else { return "?" }
        return String(format: "%.1fs", end.timeIntervalSince(start))
    }

    /// `2 attempts, 90.0 GPU-s, 40.0 CPU-s, 0.0200 USD (1 unpriced), 6300 J`; an unknown cost or energy is "-".
    static func usageLine(_ usage: JobUsage) -> String {
        let cost = usage.cost.map { String(format: "%.4f \(usage.currency)", $0) } ?? "cost -"
        let unpriced = usage.unpricedAttempts > 0 && usage.cost != nil ? " (\(usage.unpricedAttempts) unpriced)" : ""
        return "\(usage.attempts) attempt\(usage.attempts == 1 ? "" : "s"), "
            + String(format: "%.1f GPU-s, %.1f CPU-s, ", usage.gpuSeconds, usage.cpuSeconds) + cost + unpriced + ", "
            + (usage.energyJoules.map { String(format: "%.0f J", $0) } ?? "energy -")
    }
}
