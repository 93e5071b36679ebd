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
    /// The input's video packets (timestamps and key-frame flags) and its start time.
    public func videoPackets(path: String) async throws(JobError) -> VideoPacketList {
        let output: ToolOutput
        do {
            output = try await ToolProcess.run(
                tools.ffprobe, arguments: VideoPacketList.arguments + [FFmpegURL.input(path)], timeout: timeout * 4,
                clock: clock, outputLimit: 256 * 1024 * 1024)
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
