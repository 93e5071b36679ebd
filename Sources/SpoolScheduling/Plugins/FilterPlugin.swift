/// A filter rules a candidate device in or out. Filters run in order; the first refusal is the candidate's reason.
public protocol FilterPlugin: Sendable {
    var name: String { get }
    func filter(_ context: CandidateContext, _ candidate: Candidate) -> FilterRefusal?
}

extension FilterPlugin {
    public func filter(_ context: CandidateContext, worker: WorkerSnapshot, device: DeviceSnapshot) -> FilterRefusal? {
        Candidate.with(worker: worker, device: device) { filter(context, $0) }
    }
}
