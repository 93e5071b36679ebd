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
        // Stable, so jobs that arrive together keep their order.
        self.jobs = jobs.enumerated().sorted {
            ($0.element.arrivalSeconds, $0.offset) < ($1.element.arrivalSeconds, $1.offset)
        }.map(\.element)
        self.outages = outages
    }

    /// When a job started at `start` that would end at `end` fails because of an outage, and the outage.
    func failure(start: Double, end: Double) -> (seconds: Double, outage: OutageWindow)? {
        for outage in outages {
            if let seconds = outage.failure(start: start, end: end) { return (seconds, outage) }
        }
        return nil
    }
}
