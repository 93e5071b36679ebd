import Foundation
import SpoolAutoscaling
import SpoolDispatch

/// A recorded-signal replay: feeds load to an autoscaler and carries out its decisions at once (new workers are
/// ready by the next evaluation, drained workers leave after one), so traces test the policy, not a cluster.
struct PoolTrace {
    static let start = Date(timeIntervalSince1970: 1_700_006_400)  // midnight UTC, a multiple of every interval used

    var autoscaler: Autoscaler
    var workers: [PoolWorker]
    var decisions: [ScalingDecision] = []
    private var nextWorkerNumber: Int

    init(autoscaler: Autoscaler, workers: Int) {
        self.autoscaler = autoscaler
        self.workers = (0..<workers).map { Self.worker(number: $0, startedAt: Self.start) }
        nextWorkerNumber = workers
    }

    static func worker(number: Int, startedAt: Date, hourlyPrice: Double = 1) -> PoolWorker {
        PoolWorker(id: "w\(number)", runningJobs: 0, hourlyPrice: hourlyPrice, startedAt: startedAt)
    }

    /// Evaluates one sample: `inFlight` jobs run on the first workers, one each.
    @discardableResult
    mutating func step(
        at time: Date, waiting: Int, inFlight: Int = 0, oldestWaitSeconds: Double = 0,
        responseTimeSeconds: Double? = nil
    ) -> ScalingDecision {
        let running = min(inFlight, workers.count)
        for index in workers.indices {
            workers[index].runningJobs = index < running ? 1 : 0
        }
        let signals = PoolSignals(
            time: time, waiting: waiting, inFlight: inFlight, busyWorkers: running, readyWorkers: workers.count,
            oldestWaitSeconds: oldestWaitSeconds, responseTimeSeconds: responseTimeSeconds)
        let decision = autoscaler.evaluate(signals, workers: workers)
        switch decision.action {
        case .none:
            break
        case .scaleUp(let count, _, _):
            for _ in 0..<count {
                workers.append(Self.worker(number: nextWorkerNumber, startedAt: time))
                nextWorkerNumber += 1
            }
        case .drain(let drained):
            workers.removeAll { drained.contains($0.id) }
        }
        decisions.append(decision)
        return decision
    }
}
