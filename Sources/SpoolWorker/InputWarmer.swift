import Foundation
import Logging
import Metrics
import SpoolCore
import SpoolInputs

/// Prefetches the `http(s)://` inputs of waiting jobs this worker is expected to run (`ExpectedWorker`), so their
/// download overlaps the jobs running now instead of delaying their own start. Only a saturated pool has jobs that
/// wait: while any of its workers has a free slot, the scheduler places at once and there is nothing to warm, so the
/// store is not even asked.
struct InputWarmer: Sendable {
    let worker: WorkerID
    let pool: String
    let store: any WorkerStore
    let cache: InputCache
    let fetcher: InputFetcher
    /// How far down the queue to look, and how many inputs to fetch per round.
    var lookahead = 16
    var perRound = 2
    var workerTimeout: TimeInterval = 15
    let logger: Logger

    /// One round: returns the URIs fetched.
    @discardableResult
    func warm(now: Date = Date(), slotsFree: Bool) async -> [String] {
        guard cache.budgetBytes > 0, !slotsFree else { return [] }
        let waiting: [QueuedJob]
        let workers: [WorkerRecord]
        do {
            waiting = try await store.waitingForPlacement(now: now, limit: lookahead, pools: [pool])
            workers = try await store.workers()
        } catch {
            logger.debug("warming skipped; the store did not answer", metadata: ["error": "\(error)"])
            return []
        }
        let pool = workers.filter { $0.pool == self.pool && $0.mayRun(pool: $0.pool, now: now, timeout: workerTimeout) }
        guard !pool.contains(where: { $0.running.count < $0.slots }) else { return [] }
        var fetched: [String] = []
        for job in waiting where fetched.count < perRound {
            guard job.input.hasPrefix("http://") || job.input.hasPrefix("https://"), !cache.contains(job.input)
            else { continue }
            let eligible = workers.filter { $0.mayRun(pool: job.pool, now: now, timeout: workerTimeout) }
            guard ExpectedWorker.pick(job: job.id, input: job.input, among: eligible) == worker else { continue }
            let staging = cache.directory + "/prefetch-\(UUID().uuidString)"
            do {
                try await fetcher.fetch(job.input, to: staging)
                cache.adopt(job.input, from: staging)
                fetched.append(job.input)
                Counter(label: "spool_input_prefetches_total").increment()
                logger.info("prefetched the input of a waiting job", metadata: ["job": "\(job.id)"])
            } catch {
                logger.info(
                    "could not prefetch an input; the attempt will fetch it",
                    metadata: ["job": "\(job.id)", "error": "\(error.message)"])
            }
            unlink(staging)
        }
        return fetched
    }
}
