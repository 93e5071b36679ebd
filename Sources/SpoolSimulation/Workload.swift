/// A stream of jobs to replay against each policy: generated (`DiurnalWorkload`) or read from a trace
/// (`TraceReader`). Jobs are in arrival order.
public struct Workload: Sendable, Equatable {
    public var name: String
    /// How long arrivals last; the simulation runs at least this long and then until the queue is empty.
    public var durationSeconds: Double
    /// The distinct (preset, acceleration) pairs the jobs use; jobs refer to them by index.
    public var kinds: [JobKind]
    public var jobs: [SimulatedJob]
    public var outages: [OutageWindow]

    public init(
        name: String, durationSeconds: Double, kinds: [JobKind], jobs: [SimulatedJob], outages: [OutageWindow] = []
    ) {
        self.name = name
        self.durationSeconds = durationSeconds
        self.kinds = kinds
        self.jobs = Self.inArrivalOrder(jobs)
        self.outages = outages
    }

    /// `jobs` by arrival, those that arrive together in the order given. A generated day is millions of jobs in
    /// arrival order with its bursts after them: the run in order at the front is kept and merged with the rest,
    /// sorted, instead of sorting every job again.
    static func inArrivalOrder(_ jobs: [SimulatedJob]) -> [SimulatedJob] {
        var run = jobs.isEmpty ? 0 : 1
        while run < jobs.count, jobs[run - 1].arrivalSeconds <= jobs[run].arrivalSeconds { run += 1 }
        guard run < jobs.count else { return jobs }
        // Stable, so jobs that arrive together keep their order.
        let rest = jobs[run...].enumerated().sorted {
            ($0.element.arrivalSeconds, $0.offset) < ($1.element.arrivalSeconds, $1.offset)
        }.map(\.element)
        var merged: [SimulatedJob] = []
        merged.reserveCapacity(jobs.count)
        var front = 0
        var back = 0
        while front < run && back < rest.count {
            // On a tie the job from the front run goes first: it came first.
            if !(rest[back].arrivalSeconds < jobs[front].arrivalSeconds) {
                merged.append(jobs[front])
                front += 1
            } else {
                merged.append(rest[back])
                back += 1
            }
        }
        merged.append(contentsOf: jobs[front..<run])
        merged.append(contentsOf: rest[back...])
        return merged
    }

    /// When a job started at `start` that would end at `end` fails because of an outage, and the outage.
    func failure(start: Double, end: Double) -> (seconds: Double, outage: OutageWindow)? {
        for outage in outages {
            if let seconds = outage.failure(start: start, end: end) { return (seconds, outage) }
        }
        return nil
    }
}
