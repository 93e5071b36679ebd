/// Where a segmented job's HLS renditions are cut: at every seam between segments, and inside each segment on the
/// ladder's grid (every `segmentSeconds` from the first frame), except a grid point closer than half a segment to
/// the next seam (which would leave a sliver). Every rendition is cut at the same times, so players can switch
/// between them; pieces force key frames exactly there, and the join cuts there and nowhere else.
public enum HLSCuts {
    /// Cut times on the input's timeline, ascending, the first frame excluded.
    public static func times(starts: [Double], end: Double, segmentSeconds: Int) -> [Double] {
        guard let first = starts.first, segmentSeconds > 0 else { return [] }
        let step = Double(segmentSeconds)
        var cuts: [Double] = []
        for (index, start) in starts.enumerated() {
            let next = index + 1 < starts.count ? starts[index + 1] : end
            if index > 0 { cuts.append(start) }
            var grid = ((start - first) / step).rounded(.down) * step + first + step
            while grid < next - step / 2 {
                if grid > start + 0.000_5 { cuts.append(grid) }
                grid += step
            }
        }
        return cuts
    }
}
