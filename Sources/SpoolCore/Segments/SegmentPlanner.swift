import Foundation

/// Decides whether and where a job's input is cut into segments. Pure: the worker that plans the job probes the
/// input's video packets and asks; the same packets always give the same cuts.
public enum SegmentPlanner {
    /// One video packet as ffprobe lists it.
    public struct VideoPacket: Sendable, Equatable {
        /// Presentation time in seconds on the input's timeline; nil when the container has none.
        public var pts: Double?
        public var isKey: Bool
        /// Decoded only as a reference, never shown (before an edit list's start, for example).
        public var isDiscarded: Bool

        public init(pts: Double?, isKey: Bool, isDiscarded: Bool = false) {
            self.pts = pts
            self.isKey = isKey
            self.isDiscarded = isDiscarded
        }
    }

    public enum Decision: Sendable, Equatable {
        /// Encode whole; the reason is set when the job allowed or asked for segments and did not get them.
        case whole(reason: String?)
        /// Segment `i` holds the frames from `starts[i]` up to the next start; `frames[i]` of them.
        case split(starts: [Double], frames: [Int])
    }

    public static func plan(
        _ request: SegmentingRequest, durationSeconds: Double, packets: [VideoPacket], outputs: [OutputSpec]
    ) -> Decision {
        guard request.wantsSplit(durationSeconds: durationSeconds) else { return .whole(reason: nil) }
        let videoOutputs = outputs.filter { $0.kind != .thumbnails }
        guard !videoOutputs.isEmpty else { return .whole(reason: "the job makes only thumbnails: nothing to split") }
        for output in videoOutputs {
            let rates: [Double?]
            switch output.format {
            case .mp4(let video, _): rates = [video.fps]
            case .hls(let renditions, _): rates = renditions.map(\.video.fps)
            case .thumbnails: rates = []
            }
            if rates.contains(where: { $0 != nil }) {
                return .whole(
                    reason: "output '\(output.name)' sets fps: a frame rate change over segments encoded apart would "
                        + "not meet frame-exactly at the seams")
            }
        }
        guard !packets.isEmpty else { return .whole(reason: "the input has no video packets to cut") }
        guard packets.allSatisfy({ $0.pts != nil }) else {
            return .whole(reason: "the input's video packets carry no timestamps, so segments could not be cut exactly")
        }
        let shown = packets.filter { !$0.isDiscarded }
        let times = shown.compactMap(\.pts).sorted()
        guard let first = times.first, let last = times.last else {
            return .whole(reason: "the input has no video frames to cut")
        }
        for (a, b) in zip(times, times.dropFirst()) where b - a < 0.000_5 {
            return .whole(reason: "two frames share the timestamp \(format(a)) s, so a cut between them is ambiguous")
        }
        let keys = shown.filter(\.isKey).compactMap(\.pts).sorted()
        let target = Double(request.seconds)
        var starts = [first]
        for key in keys where key > first {
            // A cut at least `target` after the previous one, and not leaving a tail shorter than half a segment.
            if key - starts[starts.count - 1] >= target - 0.000_5, last - key >= target / 2 { starts.append(key) }
        }
        guard starts.count >= 2 else {
            let next = keys.first { $0 > first + target / 2 }
            let detail =
                next.map { "the first key frame after the start is at \(format($0)) s" }
                ?? "it has no key frame after the first"
            return .whole(
                reason: "the input cannot be cut into segments of about \(request.seconds) s at key frames (\(detail))")
        }
        var frames = [Int](repeating: 0, count: starts.count)
        var segment = 0
        for time in times {
            while segment + 1 < starts.count, time >= starts[segment + 1] - 0.000_5 { segment += 1 }
            frames[segment] += 1
        }
        return .split(starts: starts, frames: frames)
    }

    /// The tasks of a split job: one per segment and rendition; one audio piece per segment when the input has audio
    /// (`audio`, its frame grid) and an output wants it, cut at the frame boundary nearest each video cut; and the
    /// companion when thumbnails are asked. `end` is where the input's last frame ends (for an HLS ladder's last
    /// cuts).
    public static func tasks(
        parent: JobID, starts: [Double], frames: [Int], outputs: [OutputSpec], audio: AudioGrid?,
        inputStart: Double = 0, end: Double? = nil
    ) -> [SegmentTask] {
        var tasks: [SegmentTask] = []
        let inputEnd = end ?? (starts.last ?? 0) + 1
        for (segment, start) in starts.enumerated() {
            let next = segment + 1 < starts.count ? starts[segment + 1] : nil
            for (index, output) in outputs.enumerated() {
                let renditions: Int
                var hls: Int?
                var keyFrames: [Double]?
                switch output.format {
                case .mp4: renditions = 1
                case .hls(let list, let seconds):
                    renditions = list.count
                    hls = seconds
                    let pieceEnd = next ?? inputEnd
                    keyFrames = HLSCuts.times(starts: starts, end: inputEnd, segmentSeconds: seconds)
                        .filter { $0 > start + 0.000_5 && $0 < pieceEnd - 0.000_5 }.map { $0 - start }
                case .thumbnails: renditions = 0
                }
                for rendition in 0..<renditions {
                    tasks.append(
                        SegmentTask(
                            parent: parent, piece: .video(segment: segment, output: index, rendition: rendition),
                            start: segment == 0 ? nil : start, end: next,
                            seekTo: segment == 0 ? nil : max(0, start - inputStart),
                            expectedFrames: frames[segment], hlsSegmentSeconds: hls, keyFrames: keyFrames))
                }
            }
        }
        if let audio, outputs.contains(where: { !$0.audioBitratesKbps.isEmpty }) {
            // Cuts on the frame grid, each strictly after the one before (a segment shorter than a frame cannot be).
            var cuts = [0]
            for start in starts.dropFirst() {
                let frame = audio.boundary(near: start).frame
                if frame > cuts[cuts.count - 1] { cuts.append(frame) }
            }
            for (segment, frame) in cuts.enumerated() {
                let next = segment + 1 < cuts.count ? cuts[segment + 1] : nil
                tasks.append(
                    SegmentTask(
                        parent: parent, piece: .audio(segment: segment),
                        start: segment == 0 ? nil : audio.time(ofFrame: frame),
                        end: next.map { audio.time(ofFrame: $0) }, expectedFrames: next.map { $0 - frame },
                        audioGrid: audio))
            }
        }
        if outputs.contains(where: { $0.kind == .thumbnails }) {
            tasks.append(SegmentTask(parent: parent, piece: .companion))
        }
        return tasks
    }

    static func format(_ seconds: Double) -> String { String(format: "%.3f", seconds) }
}

extension OutputSpec {
    /// The AAC bitrates of the output's audio: one for an MP4, one per rendition with audio for a ladder.
    public var audioBitratesKbps: [Int] {
        switch format {
        case .mp4(_, let audio): audio.codec == .none ? [] : [audio.bitrateKbps ?? 128]
        case .hls(let renditions, _):
            renditions.filter { $0.audio.codec != .none }.map { $0.audio.bitrateKbps ?? 128 }
        case .thumbnails: []
        }
    }

}
