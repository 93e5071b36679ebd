import Foundation

/// How healthy a pool's workers are: fresh heartbeats, passed self-tests, no fenced GPUs.
public struct PoolHealth: Codable, Sendable, Equatable {
    public var healthyWorkers: Int
    /// One line per problem, naming the worker.
    public var issues: [String]

    public init(healthyWorkers: Int, issues: [String]) {
        self.healthyWorkers = healthyWorkers
        self.issues = issues
    }

    /// `workers` are every registered worker of the pool, dead ones included, so a silent worker shows up.
    public init(workers: [WorkerRecord], now: Date, heartbeatTimeout: TimeInterval) {
        var healthy = 0
        var issues: [String] = []
        for worker in workers {
            let problems = Self.problems(of: worker, now: now, heartbeatTimeout: heartbeatTimeout)
            if problems.isEmpty { healthy += 1 }
            issues += problems.map { "\(worker.id): \($0)" }
        }
        self.init(healthyWorkers: healthy, issues: issues)
    }

    public static func problems(of worker: WorkerRecord, now: Date, heartbeatTimeout: TimeInterval) -> [String] {
        var problems: [String] = []
        let silence = now.timeIntervalSince(worker.heartbeatAt)
        if silence > heartbeatTimeout { problems.append("no heartbeat for \(Int(silence)) s") }
        if let test = worker.selfTest, !test.passed { problems.append("ffmpeg self-test failed: \(test.detail)") }
        for (index, reason) in worker.fencedGPUs.sorted(by: { $0.key < $1.key }) {
            problems.append("GPU \(index) fenced: \(reason)")
        }
        return problems
    }

    enum CodingKeys: String, CodingKey {
        case healthyWorkers = "healthy_workers"
        case issues
    }
}

/// The short ffmpeg encode a worker runs when it starts, proving its pool's encode path works on this host.
public struct WorkerSelfTest: Codable, Sendable, Equatable {
    public var passed: Bool
    /// The encoder tried and, on failure, ffmpeg's last words.
    public var detail: String
    public var seconds: Double
    public var at: Date

    public init(passed: Bool, detail: String, seconds: Double, at: Date) {
        self.passed = passed
        self.detail = detail
        self.seconds = seconds
        self.at = at
    }
}
