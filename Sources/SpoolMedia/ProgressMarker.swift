/// How far ffmpeg has got, as the stall watchdog sees it.
struct ProgressMarker: Sendable, Equatable {
    var outTimeMicroseconds: Int64?
    var frame: Int?
    var totalSize: Int64?

    /// Whether `self` is further along than `earlier` on any axis.
    func isAhead(of earlier: ProgressMarker) -> Bool {
        func ahead<T: Comparable>(_ now: T?, _ before: T?) -> Bool {
            guard let now else { return false }
            guard let before else { return true }
            return now > before
        }
        return ahead(outTimeMicroseconds, earlier.outTimeMicroseconds) || ahead(frame, earlier.frame)
            || ahead(totalSize, earlier.totalSize)
    }
}
