import SpoolCore

/// What a plugin looks at for one candidate: the job, how it would run on the device, and what it would hold.
public struct CandidateContext {
    public let request: PlacementRequest
    /// nil when the job's acceleration rules the device out (the capability filter says why).
    public let path: DevicePath?
    public let demand: ResourceDemand
}
