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
        // Three arrays, not a dictionary of them: a day at fleet scale has fourteen million waits to file.
        var realtime: [Double] = []
        var standard: [Double] = []
        var batch: [Double] = []
        for (wait, serviceClass) in zip(waits, classes) {
            switch serviceClass {
            case .realtime: realtime.append(wait)
            case .standard: standard.append(wait)
            case .batch: batch.append(wait)
            }
        }
        self.init(
            realtime: WaitPercentiles(waits: realtime), standard: WaitPercentiles(waits: standard),
            batch: WaitPercentiles(waits: batch))
    }

    public func waits(for serviceClass: ServiceClass) -> WaitPercentiles {
        switch serviceClass {
        case .realtime: realtime
        case .standard: standard
        case .batch: batch
        }
    }
}
