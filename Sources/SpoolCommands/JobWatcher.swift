import Foundation
import SpoolAPIModels
import SpoolClient
import SpoolCore

/// Follows a job until it ends: a live bar on a terminal, one line per change when piped.
struct JobWatcher {
    let client: SpoolClient
    let showBar: Bool
    var interval: Duration = .milliseconds(400)

    func wait(for id: JobID) async throws -> JobView {
        let interactive = showBar && Terminal.isInteractive
        var lastLine = ""
        var lastDecile = -1
        var lastState: JobState?
        while true {
            let job = try await client.job(id)
            if interactive {
                let note = job.state == .running ? "running on \(job.pool ?? "?")" : job.state.rawValue
                Terminal.overwrite(
                    ProgressBar.render(fraction: job.progress, fps: job.fps, speed: job.speed, note: note))
            } else if showBar {
                let decile = Int(job.progress * 10)
                if job.state != lastState || decile != lastDecile {
                    var line = "\(job.state.rawValue) \(Int(job.progress * 100))%"
                    if let fps = job.fps { line += " \(Int(fps)) fps" }
                    if line != lastLine { print(line) }
                    lastLine = line
                    lastDecile = decile
                    lastState = job.state
                }
            }
            if job.state.isTerminal {
                if interactive { print("") }
                return job
            }
            try await Task.sleep(for: interval)
        }
    }
}
