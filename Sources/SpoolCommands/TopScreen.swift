import Foundation
import SpoolAPIModels
import SpoolCore

/// What `spool top` shows, from one poll of the API: running jobs with progress bars, what waits per pool and
/// class, pools, workers and GPUs. Pure: the same snapshot always renders the same lines.
struct TopScreen {
    struct Snapshot {
        var takenAt: Date
        var running: [JobView]
        var queued: [JobView]
        var queuedIsPartial: Bool
        var pools: [PoolView]
        var workers: [WorkerRecord]
    }

    var width: Int

    func render(_ snapshot: Snapshot) -> [String] {
        var lines: [String] = []
        let busy = snapshot.workers.reduce(0) { $0 + $1.running.count }
        let slots = snapshot.workers.reduce(0) { $0 + $1.slots }
        let waiting = "\(snapshot.queued.count)\(snapshot.queuedIsPartial ? "+" : "")"
        lines.append(
            "spool top  \(snapshot.takenAt.formatted(date: .omitted, time: .standard))  running \(snapshot.running.count)"
                + "  queued \(waiting)  workers \(snapshot.workers.count)  slots \(busy)/\(slots)  (q quits)")
        lines.append("")
        lines.append("RUNNING")
        if snapshot.running.isEmpty { lines.append("  nothing running") }
        let barWidth = max(10, min(30, width - 70))
        for job in snapshot.running.prefix(20) {
            let bar = ProgressBar.render(fraction: job.progress, width: barWidth, fps: job.fps, speed: job.speed)
            let place = [job.pool, job.worker?.rawValue].compactMap { $0 }.joined(separator: "/")
            // A segment task says which job it is part of.
            let what =
                job.parentJob.map { "\(job.requestedOutputs.first?.name ?? "task") of \($0.rawValue)" }
                ?? job.id.rawValue
            lines.append(clip("  \(what)  \(job.serviceClass.rawValue.padding(8))  \(bar)  \(place)"))
        }
        if snapshot.running.count > 20 { lines.append("  … and \(snapshot.running.count - 20) more") }
        lines.append("")
        lines.append("QUEUED (pool × class)")
        var counts: [String: [ServiceClass: Int]] = [:]
        for job in snapshot.queued { counts[job.pool ?? "any", default: [:]][job.serviceClass, default: 0] += 1 }
        if counts.isEmpty { lines.append("  nothing waiting") }
        for pool in counts.keys.sorted() {
            let perClass = ServiceClass.allCases.map { "\($0.rawValue) \(counts[pool]?[$0] ?? 0)" }
            lines.append(clip("  \(pool.padding(12))  \(perClass.joined(separator: "  "))"))
        }
        lines.append("")
        lines.append("POOLS")
        for pool in snapshot.pools {
            let wanted = pool.desiredWorkers.map { ", wants \($0)" } ?? ""
            lines.append(
                clip(
                    "  \(pool.name.padding(12)) \(pool.kind.rawValue.padding(7)) workers \(pool.workers)\(wanted)  "
                        + "running \(pool.running)/\(pool.slots)  waiting \(pool.waiting.map(String.init) ?? "-")"))
        }
        if snapshot.pools.isEmpty { lines.append("  no pools") }
        lines.append("")
        lines.append("WORKERS")
        for worker in snapshot.workers {
            let state = worker.draining ? "draining" : "\(worker.running.count)/\(worker.slots) busy"
            lines.append(
                clip("  \(worker.id.rawValue.padding(22)) \(worker.pool.padding(10)) \(worker.host)  \(state)"))
            for gpu in worker.devices?.gpus ?? [] {
                let fenced = worker.fencedGPUs[gpu.index].map { "  FENCED: \($0)" } ?? ""
                let utilisation = gpu.utilizationPercent.map { "\(Int($0))%" } ?? "-"
                let temperature = gpu.temperatureC.map { "\(Int($0))°C" } ?? "-"
                lines.append(
                    clip(
                        "    GPU \(gpu.index) \(gpu.name)  util \(utilisation)  mem \(gpu.memoryUsedMiB)/"
                            + "\(gpu.memoryTotalMiB) MiB  \(temperature)  NVENC \(gpu.engines.nvenc)\(fenced)"))
            }
        }
        if snapshot.workers.isEmpty { lines.append("  no workers") }
        return lines
    }

    func clip(_ line: String) -> String {
        line.count <= width ? line : String(line.prefix(max(1, width - 1))) + "…"
    }
}

extension String {
    fileprivate func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
