import Foundation

/// Which worker a waiting job is expected to run on, before the scheduler places it: the worker that already holds
/// its input, else the one rendezvous hashing picks among the workers that may run it. Every worker computes the
/// same answer from the same registry, so exactly one of them prefetches each input; the scheduler's
/// input-locality score then prefers the worker that holds it.
public enum ExpectedWorker {
    public static func pick(job: JobID, input: String, among workers: [WorkerRecord]) -> WorkerID? {
        if let holder = workers.filter({ $0.cachedInputs.contains(input) }).min(by: { $0.id.rawValue < $1.id.rawValue })
        {
            return holder.id
        }
        return workers.max { weight(job, $0.id) < weight(job, $1.id) }?.id
    }

    /// FNV-1a 64 of job and worker: stable across processes, so every worker agrees.
    static func weight(_ job: JobID, _ worker: WorkerID) -> UInt64 {
        var hash = StableHash.fnv1a64(job.rawValue + "/" + worker.rawValue)
        // FNV's low bits mix poorly for inputs that differ only at the end; a final avalanche spreads them.
        hash ^= hash >> 33
        hash = hash &* 0xff51_afd7_ed55_8ccd
        hash ^= hash >> 33
        return hash
    }
}
