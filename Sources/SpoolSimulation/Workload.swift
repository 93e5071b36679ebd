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
        var jobs = jobs
        Self.putInArrivalOrder(&jobs)
        self.jobs = jobs
        self.outages = outages
    }

    /// Puts `jobs` in arrival order, those that arrive together in the order given. A generated day is millions of
    /// jobs in arrival order with its bursts after them: the run in order at the front is kept where it is, the rest
    /// is sorted apart and merged in from the back, so the day is neither sorted again nor copied (a copy of
    /// fourteen million jobs is most of a gigabyte).
    static func putInArrivalOrder(_ jobs: inout [SimulatedJob]) {
        var run = jobs.isEmpty ? 0 : 1
        while run < jobs.count, jobs[run - 1].arrivalSeconds <= jobs[run].arrivalSeconds { run += 1 }
        guard run < jobs.count else { return }
        // Stable, so jobs that arrive together keep their order.
        let rest = jobs[run...].enumerated().sorted {
            ($0.element.arrivalSeconds, $0.offset) < ($1.element.arrivalSeconds, $1.offset)
        }.map(\.element)
        jobs.withUnsafeMutableBufferPointer { jobs in
            let base = jobs.baseAddress!
            // The rest is held sorted in `rest`; its places become the room the front run moves up into.
            (base + run).deinitialize(count: rest.count)
            // From the last of the rest to the first: the front jobs after it move up past the rest still to
            // place, and it goes in just below them. A front job that arrives with it goes first: it came first.
            var unmoved = run
            for index in rest.indices.reversed() {
                let arrival = rest[index].arrivalSeconds
                var low = 0
                var high = unmoved
                while low < high {
                    let middle = (low + high) / 2
                    if jobs[middle].arrivalSeconds <= arrival { low = middle + 1 } else { high = middle }
                }
                (base + low + index + 1).moveInitialize(from: base + low, count: unmoved - low)
                (base + low + index).initialize(to: rest[index])
                unmoved = low
            }
        }
    }

    /// When a job started at `start` that would end at `end` fails because of an outage, and the outage.
    func failure(start: Double, end: Double) -> (seconds: Double, outage: OutageWindow)? {
        for outage in outages {
            if let seconds = outage.failure(start: start, end: end) { return (seconds, outage) }
        }
        return nil
    }
}
