import Foundation

/// Health fencing for one GPU, as a pure state machine. A device that fails an encoder initialisation, or fails
/// jobs `failuresToFence` times in a row, is fenced: nothing is placed on it. After a backoff the worker runs a
/// short self-test encode on it; a pass re-admits it, a failure fences it again for twice as long.
public struct DeviceHealth: Codable, Sendable, Equatable {
    public enum State: Codable, Sendable, Equatable {
        case healthy
        case fenced(reason: String, since: Date, retestAt: Date)
        case selfTesting(reason: String, since: Date)
    }

    public struct Policy: Codable, Sendable, Equatable {
        public var failuresToFence: Int
        public var initialBackoffSeconds: Double
        public var maximumBackoffSeconds: Double

        public init(failuresToFence: Int = 3, initialBackoffSeconds: Double = 30, maximumBackoffSeconds: Double = 600) {
            self.failuresToFence = failuresToFence
            self.initialBackoffSeconds = initialBackoffSeconds
            self.maximumBackoffSeconds = maximumBackoffSeconds
        }

        enum CodingKeys: String, CodingKey {
            case failuresToFence = "failures_to_fence"
            case initialBackoffSeconds = "initial_backoff_seconds"
            case maximumBackoffSeconds = "maximum_backoff_seconds"
        }
    }

    public enum Event: Sendable, Equatable {
        case jobSucceeded
        /// A job failed on this device for a reason that may be the device's (not bad input).
        case jobFailed(reason: String)
        /// ffmpeg could not open an encoder or decoder session (OpenEncodeSessionEx, CUDA init): fence at once.
        case sessionInitFailed(reason: String)
        case selfTestPassed
        case selfTestFailed(reason: String)
        /// Time passed; a fenced device whose backoff ended is due for its self-test.
        case tick
    }

    public enum Action: Sendable, Equatable {
        case fence(reason: String, until: Date)
        case runSelfTest
        case readmit
    }

    public private(set) var state: State = .healthy
    public private(set) var consecutiveFailures = 0
    /// Fences since the last success; doubles the backoff each time.
    public private(set) var fences = 0
    public var policy: Policy

    public init(policy: Policy = Policy()) {
        self.policy = policy
    }

    public var isPlaceable: Bool { state == .healthy }

    public mutating func handle(_ event: Event, now: Date) -> Action? {
        switch (state, event) {
        case (.healthy, .jobSucceeded):
            consecutiveFailures = 0
            fences = 0
            return nil
        case (.healthy, .jobFailed(let reason)):
            consecutiveFailures += 1
            guard consecutiveFailures >= policy.failuresToFence else { return nil }
            return fence("\(consecutiveFailures) jobs failed in a row on this device; last: \(reason)", now: now)
        case (.healthy, .sessionInitFailed(let reason)):
            return fence(reason, now: now)
        case (.fenced(let reason, _, let retestAt), .tick) where retestAt <= now:
            state = .selfTesting(reason: reason, since: now)
            return .runSelfTest
        case (.selfTesting, .selfTestPassed):
            state = .healthy
            consecutiveFailures = 0
            return .readmit
        case (.selfTesting, .selfTestFailed(let reason)):
            return fence("self-test failed: \(reason)", now: now)
        default:
            // Results of jobs that were already running when the device was fenced change nothing.
            return nil
        }
    }

    private mutating func fence(_ reason: String, now: Date) -> Action {
        let backoff = min(
            policy.initialBackoffSeconds * pow(2, Double(fences)), policy.maximumBackoffSeconds)
        fences += 1
        let until = now.addingTimeInterval(backoff)
        state = .fenced(reason: reason, since: now, retestAt: until)
        return .fence(reason: reason, until: until)
    }
}
