import Foundation
import SpoolCore

/// The input's video packets and start time, as the segment planner needs them: read by demuxing only (no
/// decoding), which takes seconds even for a film.
public struct VideoPacketList: Sendable, Equatable {
    public var packets: [SegmentPlanner.VideoPacket]
    /// The container's start time, which a whole-file encode subtracts from every timestamp.
    public var inputStart: Double

    public init(packets: [SegmentPlanner.VideoPacket], inputStart: Double) {
        self.packets = packets
        self.inputStart = inputStart
    }

    static let arguments = [
        "-v", "error", "-protocol_whitelist", "file,pipe", "-format_whitelist", MediaInfo.inputFormatWhitelist,
        "-select_streams", "v:0", "-show_entries", "packet=pts_time,flags:format=start_time", "-of", "csv=p=0",
    ]

    /// Parses ffprobe's CSV: `pts_time,flags` per packet (`N/A` when a packet has no timestamp; flags such as `K_`,
    /// `__`, `K_D`), then one line with the format's start time.
    static func parse(_ text: String) -> VideoPacketList {
        var packets: [SegmentPlanner.VideoPacket] = []
        var start = 0.0
        for line in text.split(whereSeparator: \.isNewline) {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            if fields.count >= 2 {
                let flags = fields[1]
                packets.append(
                    SegmentPlanner.VideoPacket(
                        pts: Double(fields[0]), isKey: flags.contains("K"), isDiscarded: flags.contains("D")))
            } else if fields.count == 1, let value = Double(fields[0]) {
                start = value
            }
        }
        return VideoPacketList(packets: packets, inputStart: start)
    }
}

extension MediaProber {
    /// Inputs shorter than this are listed by one ffprobe: splitting would cost more in starts than it saves.
    public static let parallelListingMinimumSeconds = 60.0

    /// The input's video packets (timestamps and key-frame flags) and its start time. A long input (its
    /// `durationSeconds` known) is listed by `processes` ffprobe at once, each reading one stretch of it
    /// (`-read_intervals`): listing reads every byte of the video, which is what makes planning a film slow, and the
    /// stretches read in parallel. Each stretch reads on a little past its end (B-frames arrive after a later frame)
    /// and keeps the packets whose timestamps are its own, so the result holds every packet once, as one ffprobe
    /// would list it; an input with packets that carry no timestamp is listed again by one ffprobe.
    public func videoPackets(
        path: String, durationSeconds: Double?, processes: Int,
        minimumSeconds: Double = parallelListingMinimumSeconds
    ) async throws(JobError) -> VideoPacketList {
        guard processes > 1, let duration = durationSeconds, duration >= minimumSeconds else {
            return try await videoPackets(path: path)
        }
        let start = try await containerStart(path: path)
        let stretch = duration / Double(processes)
        let bounds = (0...processes).map { start + Double($0) * stretch }
        let lists: [VideoPacketList]
        do {
            lists = try await withThrowingTaskGroup(of: (Int, VideoPacketList).self) { group in
                for index in 0..<processes {
                    let isLast = index == processes - 1
                    // Read on 2 s past the end: a packet whose time is before the end arrives before any packet
                    // decoded 2 s later.
                    // The first stretch reads from the file's beginning, without a seek: packets an edit list
                    // hides lie before the start time.
                    let from = index == 0 ? "" : SegmentCommandBuilder.seconds(bounds[index])
                    let to = isLast ? "" : SegmentCommandBuilder.seconds(bounds[index + 1] + 2)
                    let interval = "\(from)%\(to)"
                    group.addTask { (index, try await self.videoPackets(path: path, readIntervals: interval)) }
                }
                var results = [VideoPacketList](
                    repeating: VideoPacketList(packets: [], inputStart: start), count: processes)
                for try await (index, list) in group { results[index] = list }
                return results
            }
        } catch let error as JobError {
            throw error
        } catch {
            throw JobError(code: .internalError, message: "listing the input's video packets failed (\(error))")
        }
        var packets: [SegmentPlanner.VideoPacket] = []
        for (index, list) in lists.enumerated() {
            // A stretch owns the times from its start (the first: everything before too) up to the next stretch.
            let from = index == 0 ? -Double.infinity : bounds[index]
            let to = index == processes - 1 ? Double.infinity : bounds[index + 1]
            for packet in list.packets {
                guard let pts = packet.pts else { return try await videoPackets(path: path) }
                if pts >= from, pts < to { packets.append(packet) }
            }
        }
        return VideoPacketList(packets: packets, inputStart: start)
    }

    /// The container's start time.
    func containerStart(path: String) async throws(JobError) -> Double {
        let output: ToolOutput
        do {
            output = try await ToolProcess.run(
                tools.ffprobe,
                arguments: [
                    "-v", "error", "-protocol_whitelist", "file,pipe", "-format_whitelist",
                    MediaInfo.inputFormatWhitelist, "-show_entries", "format=start_time", "-of", "csv=p=0",
                    FFmpegURL.input(path),
                ], timeout: timeout, clock: clock)
        } catch {
            throw JobError(
                code: error == .timedOut ? .timeout : .internalError,
                message: "reading the input's start time failed (\(error))")
        }
        return Double(output.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    /// The input's video packets (timestamps and key-frame flags) and its start time, by one ffprobe (over
    /// `readIntervals` only, when given).
    public func videoPackets(path: String, readIntervals: String? = nil) async throws(JobError) -> VideoPacketList {
        let output: ToolOutput
        let intervals = readIntervals.map { ["-read_intervals", $0] } ?? []
        do {
            output = try await ToolProcess.run(
                tools.ffprobe, arguments: VideoPacketList.arguments + intervals + [FFmpegURL.input(path)],
                timeout: timeout * 4, clock: clock, outputLimit: 256 * 1024 * 1024)
        } catch {
            throw JobError(
                code: error == .timedOut ? .timeout : .internalError,
                message: "listing the input's video packets to plan its segments failed (\(error))")
        }
        guard output.succeeded else {
            throw JobError(
                code: .invalidInput,
                message: "ffprobe cannot list the input's video packets (\(Self.reason(from: output, path: path)))")
        }
        return VideoPacketList.parse(output.stdoutText)
    }
}
