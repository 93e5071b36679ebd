import Foundation
import GPUMemoryLedger
import SpoolDispatch
import SpoolScheduling

/// Everything the placement service is tuned by, loadable from a JSON file (`--scheduler-config`). Every field is
/// optional in the file; what is left out keeps its default.
///
///     {"profile": "seed", "ledger": {"strategy": "best_fit", "overcommit_ratio": 1.0},
///      "memory_headroom": 0.05, "dispatch": {"fairness": "weighted_fair"}, "interval_ms": 200, "wake_gap_ms": 50}
public struct SchedulerConfiguration: Sendable, Equatable {
    public var profile: SchedulingProfile = .seed
    public var ledger: LedgerConfiguration = .default
    public var memoryHeadroom: Double = 0.05
    public var sessions: VideoSessionBudget = .default
    public var memoryModel: MemoryModel = .default
    public var dispatch: DispatchConfiguration = .default
    /// How often a cycle runs when nothing wakes it sooner.
    public var interval: Duration = .milliseconds(200)
    /// The least time from one woken cycle's start to the next (woken by a submission, a slot freed), so that news
    /// coming steadily is placed in batches. Nil takes the default for the store (`defaultWakeGap`).
    public var wakeGap: Duration? = nil
    /// Waiting jobs one cycle considers, best first.
    public var waitingLimit: Int = 1000
    /// A worker whose registration is older than this is not placed on.
    public var workerTimeout: Duration = .seconds(15)
    /// How often the explanation of a job that keeps waiting is refreshed.
    public var explanationRefresh: Duration = .seconds(5)
    /// How often, when no job waits, placements on dead workers are looked for.
    public var sweepInterval: Duration = .seconds(5)

    public init() {}

    /// On a shared store (Redis), up to 20 woken cycles a second: each reads the fleet and the jobs holding resources
    /// over the network, and bench/queue with 20 ms used twice the manager's CPU for about four fifths of the jobs a
    /// second. In one process (SQLite) none: a cycle reads the local store, and the second of two jobs submitted
    /// together would start up to the gap late (bench/overhead's rounds).
    public static func defaultWakeGap(sharedStore: Bool) -> Duration { sharedStore ? .milliseconds(50) : .zero }

    public var builder: FleetSnapshotBuilder {
        FleetSnapshotBuilder(ledger: ledger, sessions: sessions, memoryHeadroom: memoryHeadroom)
    }

    /// The planner this configuration describes; the placement service and `spool simulate --scheduler-config`
    /// build theirs here, so both decide alike.
    public func makePlanner() throws -> PlacementPlanner {
        PlacementPlanner(
            cycle: try SchedulingCycle(profile: profile, estimator: ResourceEstimator(model: memoryModel)),
            settings: PlannerSettings(dispatch: dispatch, explanationRefresh: explanationRefresh))
    }

    public static func load(from path: String) throws -> SchedulerConfiguration {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw SchedulerConfigurationFileError(path: path, reason: "cannot read it: \(error.localizedDescription)")
        }
        do {
            return try JSONDecoder().decode(File.self, from: data).configuration()
        } catch let error as SchedulerConfigurationFileError {
            throw error
        } catch let error as SchedulerConfigurationError {
            throw SchedulerConfigurationFileError(path: path, reason: error.description)
        } catch {
            throw SchedulerConfigurationFileError(path: path, reason: "\(error)")
        }
    }

    /// The file's shape: snake_case keys, every field optional.
    struct File: Decodable {
        enum ProfileChoice: Decodable {
            case named(String)
            case custom(SchedulingProfile)

            init(from decoder: any Decoder) throws {
                let container = try decoder.singleValueContainer()
                if let name = try? container.decode(String.self) {
                    self = .named(name)
                } else {
                    self = .custom(try container.decode(SchedulingProfile.self))
                }
            }
        }

        struct Ledger: Decodable {
            var strategy: AllocationStrategy?
            var overcommitRatio: Double?
            var sizeClassesMiB: [Int]?
            var buddyMinimumBlockMiB: Int?

            enum CodingKeys: String, CodingKey {
                case strategy
                case overcommitRatio = "overcommit_ratio"
                case sizeClassesMiB = "size_classes_mib"
                case buddyMinimumBlockMiB = "buddy_minimum_block_mib"
            }
        }

        var profile: ProfileChoice?
        var ledger: Ledger?
        var memoryHeadroom: Double?
        var sessions: VideoSessionBudget?
        var memoryModel: MemoryModel?
        var dispatch: DispatchConfiguration?
        var intervalMs: Int?
        var wakeGapMs: Int?
        var waitingLimit: Int?
        var workerTimeoutSeconds: Int?

        enum CodingKeys: String, CodingKey {
            case profile, ledger, sessions, dispatch
            case memoryHeadroom = "memory_headroom"
            case memoryModel = "memory_model"
            case intervalMs = "interval_ms"
            case wakeGapMs = "wake_gap_ms"
            case waitingLimit = "waiting_limit"
            case workerTimeoutSeconds = "worker_timeout_seconds"
        }

        func configuration() throws -> SchedulerConfiguration {
            var result = SchedulerConfiguration()
            switch profile {
            case .named(let name)?:
                guard let known = SchedulingProfile.named(name) else {
                    throw SchedulerConfigurationError.unknownProfile(name)
                }
                result.profile = known
            case .custom(let custom)?:
                result.profile = custom
            case nil:
                break
            }
            // Unknown plugins or bad weights are refused now, not at the first cycle.
            _ = try SchedulingCycle(profile: result.profile)
            if let ledger {
                result.ledger = LedgerConfiguration(
                    strategy: ledger.strategy ?? result.ledger.strategy,
                    overcommitRatio: ledger.overcommitRatio ?? result.ledger.overcommitRatio,
                    sizeClassesMiB: ledger.sizeClassesMiB ?? result.ledger.sizeClassesMiB,
                    buddyMinimumBlockMiB: ledger.buddyMinimumBlockMiB ?? result.ledger.buddyMinimumBlockMiB)
            }
            if let memoryHeadroom {
                guard (0..<1).contains(memoryHeadroom) else {
                    throw SchedulerConfigurationFileError(
                        path: "", reason: "memory_headroom is a share of GPU memory, 0 ≤ x < 1; got \(memoryHeadroom)")
                }
                result.memoryHeadroom = memoryHeadroom
            }
            if let sessions { result.sessions = sessions }
            if let memoryModel { result.memoryModel = memoryModel }
            if let dispatch { result.dispatch = dispatch }
            if let intervalMs { result.interval = .milliseconds(max(10, intervalMs)) }
            if let wakeGapMs { result.wakeGap = .milliseconds(max(0, wakeGapMs)) }
            if let waitingLimit { result.waitingLimit = max(1, waitingLimit) }
            if let workerTimeoutSeconds { result.workerTimeout = .seconds(max(1, workerTimeoutSeconds)) }
            return result
        }
    }
}

public struct SchedulerConfigurationFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var reason: String

    public var description: String {
        path.isEmpty ? "scheduler configuration: \(reason)" : "scheduler configuration \(path): \(reason)"
    }
}
