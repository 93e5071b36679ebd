import SpoolCore

/// What sets one job apart from another for the built-in plugins: its acceleration, its pool and what it would
/// hold on each path. Jobs alike in these get the same verdict from every device that looks the same.
struct VerdictKey: Hashable, Sendable {
    var acceleration: Acceleration
    var pool: String?
    var nvenc: ResourceDemand
    var nvdec: ResourceDemand
    var host: ResourceDemand

    init(_ request: PlacementRequest, _ demands: PathDemands) {
        acceleration = request.acceleration
        pool = request.pool
        nvenc = demands.nvenc
        nvdec = demands.nvdec
        host = demands.host
    }
}

/// The filters' verdict and the raw scores of each class of `DeviceClasses`, for one kind of job (`VerdictKey`).
/// A class never changes how it looks, so what was found for it holds as long as its index lives.
struct ClassVerdicts: Sendable {
    enum Verdict {
        case unknown
        case refused(FilterRefusal)
        /// Feasible on `path`; its raw scores start at `rawOffset` in `raws`, one per score plugin.
        case feasible(path: DevicePath?, rawOffset: Int)
    }

    var byClass: [Verdict] = []
    var raws: [Double] = []
    /// When every device is scored and every score is absolute, a class's weighted total never changes: the
    /// feasible classes are kept best first (`ranked`, with their `totals`), for the classes numbered below
    /// `rankedUpTo`. A search then walks down from the top past the classes no device looks like now.
    var ranked: [Int] = []
    var totals: [Double] = []
    var rankedUpTo = 0

    /// Room for the verdicts of `count` classes.
    mutating func cover(_ count: Int) {
        guard byClass.count < count else { return }
        byClass.append(contentsOf: repeatElement(.unknown, count: count - byClass.count))
    }
}
