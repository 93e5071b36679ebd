import SpoolCore

/// One job of a workload: when it arrives, whose it is, what it asks for and how long it runs.
public struct SimulatedJob: Sendable, Equatable {
    /// Seconds since the workload's start.
    public var arrivalSeconds: Double
    public var tenant: String
    public var serviceClass: ServiceClass
    /// An index into the workload's `kinds`.
    public var kind: Int
    public var durations: JobDurations

    public init(arrivalSeconds: Double, tenant: String, serviceClass: ServiceClass, kind: Int, durations: JobDurations)
    {
        self.arrivalSeconds = arrivalSeconds
        self.tenant = tenant
        self.serviceClass = serviceClass
        self.kind = kind
        self.durations = durations
    }
}
