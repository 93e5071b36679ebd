import Foundation
import SpoolCore

/// When each job was evicted: the memory that keeps preemption from evicting the same job over and over.
public struct EvictionHistory: Sendable, Equatable {
    private var times: [JobID: [Date]] = [:]

    public init() {}

    public mutating func recordEviction(of job: JobID, at time: Date) {
        times[job, default: []].append(time)
    }

    /// A job that finished or was cancelled can no longer be evicted; forgetting it keeps the history small.
    public mutating func forget(_ job: JobID) {
        times[job] = nil
    }

    public func evictions(of job: JobID) -> [Date] { times[job] ?? [] }

    public func evictionCount(of job: JobID) -> Int { times[job]?.count ?? 0 }

    public func lastEviction(of job: JobID) -> Date? { times[job]?.max() }

    public func protectedUntil(_ job: JobID, settings: PreemptionSettings) -> Date? {
        settings.protectedUntil(evictions: evictionCount(of: job), lastEvictedAt: lastEviction(of: job))
    }

    public func isProtected(_ job: JobID, at now: Date, settings: PreemptionSettings) -> Bool {
        settings.isProtected(evictions: evictionCount(of: job), lastEvictedAt: lastEviction(of: job), at: now)
    }

    /// `running` with its eviction count and latest eviction taken from this history.
    public func annotated(_ running: RunningJob) -> RunningJob {
        var job = running
        job.evictions = evictionCount(of: running.id)
        job.lastEvictedAt = lastEviction(of: running.id)
        return job
    }
}
