import SpoolCore

/// Jobs waiting for placement: one FIFO lane per service class, realtime first. A placement pass walks the lanes
/// in order and removes what it placed in time proportional to what it looked at, not to the queue's length, so a
/// long queue behind a full fleet costs nothing per tick.
struct JobQueue {
    /// What a placement pass does with the job it was offered.
    enum Outcome {
        case placed
        case kept
        /// Keep this job and stop the pass: nothing more fits.
        case stop
    }

    static let laneOrder: [ServiceClass] = [.realtime, .standard, .batch]

    private var lanes: [[Int]] = Array(repeating: [], count: laneOrder.count)
    private var heads: [Int] = Array(repeating: 0, count: laneOrder.count)
    private var kept: [Int] = []
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    mutating func append(_ job: Int, serviceClass: ServiceClass) {
        lanes[Self.lane(serviceClass)].append(job)
        count += 1
    }

    /// The job at the head of each lane, which has waited longest in it.
    var oldestJobs: [Int] {
        lanes.indices.compactMap { lane in heads[lane] < lanes[lane].count ? lanes[lane][heads[lane]] : nil }
    }

    /// Jobs of this class waiting.
    func count(of serviceClass: ServiceClass) -> Int {
        let lane = Self.lane(serviceClass)
        return lanes[lane].count - heads[lane]
    }

    /// The job of this class that has waited longest, if any waits.
    func oldest(of serviceClass: ServiceClass) -> Int? {
        let lane = Self.lane(serviceClass)
        return heads[lane] < lanes[lane].count ? lanes[lane][heads[lane]] : nil
    }

    /// The first `limit` jobs, lane by lane, oldest first: what a store would hand the scheduler (best first).
    func first(_ limit: Int) -> [Int] {
        var jobs: [Int] = []
        jobs.reserveCapacity(min(limit, count))
        for lane in lanes.indices {
            var index = heads[lane]
            while index < lanes[lane].count, jobs.count < limit {
                jobs.append(lanes[lane][index])
                index += 1
            }
        }
        return jobs
    }

    /// Takes `jobs` out, keeping the order of the rest; stops as soon as all are found.
    mutating func remove(_ jobs: Set<Int>) {
        guard !jobs.isEmpty else { return }
        var left = jobs.count
        offer { job in
            if left == 0 { return .stop }
            guard jobs.contains(job) else { return .kept }
            left -= 1
            return .placed
        }
    }

    /// Offers jobs lane by lane, oldest first, until `offer` says stop or every job was offered.
    mutating func offer(_ offer: (Int) -> Outcome) {
        for lane in lanes.indices {
            if visit(lane: lane, offer) { return }
        }
    }

    /// Returns whether the pass was told to stop.
    private mutating func visit(lane: Int, _ offer: (Int) -> Outcome) -> Bool {
        kept.removeAll(keepingCapacity: true)
        var read = heads[lane]
        var stopped = false
        while read < lanes[lane].count {
            let job = lanes[lane][read]
            let outcome = offer(job)
            if case .stop = outcome {
                stopped = true
                break
            }
            read += 1
            if case .kept = outcome { kept.append(job) } else { count -= 1 }
        }
        // The kept jobs move up against the unvisited rest, in their order; the placed ones drop out of the front.
        let newHead = read - kept.count
        for (offset, job) in kept.enumerated() { lanes[lane][newHead + offset] = job }
        heads[lane] = newHead
        if newHead > 4_096 && newHead * 2 > lanes[lane].count {
            lanes[lane].removeFirst(newHead)
            heads[lane] = 0
        }
        return stopped
    }

    private static func lane(_ serviceClass: ServiceClass) -> Int {
        switch serviceClass {
        case .realtime: 0
        case .standard: 1
        case .batch: 2
        }
    }
}
