import Synchronization

/// How far a simulation has got while it runs, for a progress display: each run reports the virtual time it has
/// reached every few simulated minutes. Runs only write to it, so a report is the same with or without one.
public final class SimulationProgress: Sendable {
    /// What the runs have reached, read at one moment.
    public struct Reading: Sendable, Equatable {
        /// 0…1: the share of the workload's duration the runs have simulated, over all runs. A run past the end of
        /// the workload, finishing the jobs still queued, counts as done.
        public var fraction: Double
        /// The workload's duration, in virtual seconds.
        public var durationSeconds: Double
        /// The furthest any run has got, in virtual seconds (past `durationSeconds` while queued jobs finish).
        public var furthestSeconds: Double
        public var runs: Int
        public var finishedRuns: Int

        /// Every run is past the workload's end but not all have finished: they are finishing queued jobs.
        public var isDraining: Bool { fraction >= 1 && finishedRuns < runs }
    }

    private struct State {
        var durationSeconds = 0.0
        var reached: [Double] = []
        var finished: [Bool] = []
    }

    private let state = Mutex(State())

    public init() {}

    /// Virtual seconds between two reports of one run: 20 ticks of the default 15 s.
    static let reportingSeconds = 300.0

    func begin(runs: Int, durationSeconds: Double) {
        state.withLock { state in
            state = State(
                durationSeconds: durationSeconds, reached: Array(repeating: 0, count: runs),
                finished: Array(repeating: false, count: runs))
        }
    }

    func report(run: Int, reachedSeconds: Double) {
        state.withLock { state in
            guard state.reached.indices.contains(run) else { return }
            state.reached[run] = max(state.reached[run], reachedSeconds)
        }
    }

    func finish(run: Int) {
        state.withLock { state in
            guard state.finished.indices.contains(run) else { return }
            state.finished[run] = true
        }
    }

    public var reading: Reading {
        state.withLock { state in
            let runs = state.reached.count
            var done = 0.0
            for (reached, finished) in zip(state.reached, state.finished) {
                done += finished || state.durationSeconds <= 0 ? 1 : min(reached / state.durationSeconds, 1)
            }
            return Reading(
                fraction: runs == 0 ? 0 : done / Double(runs), durationSeconds: state.durationSeconds,
                furthestSeconds: state.reached.max() ?? 0, runs: runs,
                finishedRuns: state.finished.filter { $0 }.count)
        }
    }
}
