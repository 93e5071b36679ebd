import Dispatch
import Foundation
import SpoolCore
import SpoolSimulation
import Synchronization

/// A running simulation's progress on stderr, when stderr is a terminal: a bar, the virtual time reached and the wall
/// time so far. At fleet scale a run takes minutes with nothing else to show. It is redrawn four times a second on a
/// thread of its own, since the simulation holds the thread it runs on, and cleared when the run ends, so what stays
/// on screen is the report.
final class SimulationProgressDisplay: Sendable {
    private let progress: SimulationProgress
    private let started = ContinuousClock.now
    private let stopping = Atomic<Bool>(false)
    private let wake = DispatchSemaphore(value: 0)
    private let stopped = DispatchSemaphore(value: 0)

    private init(_ progress: SimulationProgress) {
        self.progress = progress
    }

    /// Starts drawing, or returns nil when stderr is not a terminal (a pipe, a file, CI): nothing is drawn there.
    static func startIfInteractive(_ progress: SimulationProgress) -> SimulationProgressDisplay? {
        guard Terminal.isInteractiveError else { return nil }
        let display = SimulationProgressDisplay(progress)
        Thread { display.draw() }.start()
        return display
    }

    /// Draws the last frame, clears the line and returns once the drawing thread is done with stderr.
    func stop() {
        stopping.store(true, ordering: .relaxed)
        wake.signal()
        stopped.wait()
    }

    private func draw() {
        while true {
            let last = stopping.load(ordering: .relaxed)
            let wall = (ContinuousClock.now - started).seconds
            let frame = Terminal.clearLine + Self.line(progress.reading, wallSeconds: wall)
            FileHandle.standardError.write(Data(frame.utf8))
            if last { break }
            _ = wake.wait(timeout: .now() + .milliseconds(250))
        }
        FileHandle.standardError.write(Data(Terminal.clearLine.utf8))
        stopped.signal()
    }

    /// `▕█████████▎                    ▏ 31%  7.5 of 24 h simulated  41 s`
    static func line(_ reading: SimulationProgress.Reading, wallSeconds: Double) -> String {
        guard reading.runs > 0 else {
            return ProgressBar.render(fraction: 0, note: "making the workload  \(Int(wallSeconds)) s")
        }
        let hours = reading.durationSeconds / 3_600
        var note =
            reading.isDraining
            ? "\(hoursText(hours)) h simulated, finishing queued jobs (\(hoursText(reading.furthestSeconds / 3_600)) h)"
            : "\(hoursText(reading.fraction * hours)) of \(hoursText(hours)) h simulated"
        if reading.runs > 1 { note += ", \(reading.finishedRuns) of \(reading.runs) runs done" }
        return ProgressBar.render(fraction: reading.fraction, note: note + "  \(Int(wallSeconds)) s")
    }

    private static func hoursText(_ hours: Double) -> String {
        let text = String(format: "%.1f", hours)
        return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }
}
