import SpoolCore

/// Fits HLS ladders to the source: a rung taller than the source would only upscale, costing encode time and bytes
/// for no picture, so it is dropped. The shortest rung is always kept, capped at the source height, so a ladder
/// never comes out empty. MP4 outputs keep the size they ask for.
public enum LadderFitting {
    public static func fit(_ outputs: [OutputSpec], to source: MediaInfo) -> [OutputSpec] {
        guard let sourceHeight = source.video?.height, sourceHeight > 0 else { return outputs }
        return outputs.map { output in
            guard case .hls(let renditions, let segmentSeconds) = output.format else { return output }
            var kept = renditions.filter { ($0.video.height ?? 0) <= sourceHeight }
            if kept.isEmpty, var lowest = renditions.min(by: { ($0.video.height ?? .max) < ($1.video.height ?? .max) })
            {
                lowest.video.height = sourceHeight - sourceHeight % 2
                lowest.video.width = nil
                kept = [lowest]
            }
            return OutputSpec(name: output.name, format: .hls(renditions: kept, segmentSeconds: segmentSeconds))
        }
    }
}
