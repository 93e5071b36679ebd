import SpoolCore

/// Queue waits of each service class apart: a cheap policy that keeps batch jobs for the trough shows here, where
/// the pooled percentiles would hide it behind the many short realtime and standard waits.
public struct ClassWaits: Sendable, Codable, Equatable {
    public var realtime: WaitPercentiles
    public var standard: WaitPercentiles
    public var batch: WaitPercentiles

    public init(realtime: WaitPercentiles, standard: WaitPercentiles, batch: WaitPercentiles) {
        self.realtime = realtime
        self.standard = standard
        self.batch = batch
    }

    init(waits: [Double], classes: [ServiceClass]) {
        var byClass: [ServiceClass: [Double]] = [:]
        for (wait, serviceClass) in zip(waits, classes) { byClass[serviceClass, default: []].append(wait) }
        self.init(
            realtime: WaitPercentiles(waits: byClass[.realtime] ?? []),
            standard: WaitPercentiles(waits: byClass[.standard] ?? []),
            batch: WaitPercentiles(waits: byClass[.batch] ?? []))
    }

    public func waits(for serviceClass: ServiceClass) -> WaitPercentiles {
        switch serviceClass {
        case .realtime: realtime
        case .standard: standard
        case .batch: batch
        }
    }
}
