import Foundation
import SpoolCore

/// Checks what a segment task made before it is committed: a video piece holds exactly the frames its segment
/// must hold (counted when the job was planned), at the asked size, and is compared with its stretch of the source
/// for SSIM; the companion's audio files are whole AAC streams.
public struct SegmentPieceValidator: Sendable {
    public var tools: MediaTools
    public var prober: MediaProber
    public var ssimTimeout: Duration

    public init(
        tools: MediaTools = MediaTools(), prober: MediaProber = MediaProber(), ssimTimeout: Duration = .seconds(600)
    ) {
        self.tools = tools
        self.prober = prober
        self.ssimTimeout = ssimTimeout
    }

    func fail(_ name: String, _ problem: String) -> JobError {
        JobError(code: .validationFailed, message: "segment piece '\(name)': \(problem)")
    }

    func size(_ path: String) -> Int64? {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value
    }

    public func validateVideo(
        _ task: SegmentTask, file: String, stagingDirectory: String, video: VideoSettings, source: MediaInfo,
        sourcePath: String, inputStart: Double, measureSSIM: Bool
    ) async throws(JobError) -> OutputResult {
        let path = "\(TranscodeCommandBuilder.normalized(stagingDirectory))/\(file)"
        guard let bytes = size(path), bytes > 0 else { throw fail(task.name, "\(file) was not written") }
        let document = try await prober.probeOutput(path: path, countPackets: true)
        guard let stream = document.primaryVideo else { throw fail(task.name, "\(file) has no video stream") }
        let frames = stream.nbReadPackets.flatMap { Int($0) }
        if let expected = task.expectedFrames, frames != expected {
            throw fail(
                task.name,
                "holds \(frames.map(String.init) ?? "an unknown number of") frames where its segment has \(expected); "
                    + "the input may be damaged at this point")
        }
        let target = FrameSize.target(width: video.width, height: video.height, source: source)
        guard stream.width == target.width, stream.height == target.height else {
            throw fail(
                task.name, "is \(stream.width ?? 0)×\(stream.height ?? 0), expected \(target.width)×\(target.height)")
        }
        let duration = stream.durationSeconds ?? document.format?.durationSeconds
        var ssim: Double?
        if measureSSIM {
            ssim = try await SSIMMeter(tools: tools, timeout: ssimTimeout, clock: prober.clock).measure(
                output: path, source: sourcePath, size: target, duration: duration,
                sourceStart: max(0, (task.start ?? inputStart) - inputStart), label: "segment piece '\(task.name)'")
        }
        return OutputResult(
            name: task.name, kind: .mp4, path: file, files: [file], codec: stream.codecName, width: stream.width,
            height: stream.height, durationSeconds: duration, sizeBytes: bytes, ssim: ssim)
    }

    /// An audio file of the companion: present, one AAC stream about as long as the source.
    public func validateAudio(file: String, stagingDirectory: String, source: MediaInfo) async throws(JobError)
        -> OutputResult
    {
        let path = "\(TranscodeCommandBuilder.normalized(stagingDirectory))/\(file)"
        guard let bytes = size(path), bytes > 0 else { throw fail("companion", "\(file) was not written") }
        let document = try await prober.probeOutput(path: path, countPackets: true)
        guard let stream = document.primaryAudio, stream.codecName == "aac" else {
            throw fail("companion", "\(file) has no AAC stream")
        }
        let duration = stream.durationSeconds ?? document.format?.durationSeconds ?? 0
        // Every packet demuxed (`-count_packets`) and a positive length: a file cut short fails above.
        guard duration > 0 else { throw fail("companion", "\(file) holds no audio") }
        _ = source
        return OutputResult(
            name: (file as NSString).deletingPathExtension, kind: .mp4, path: file, files: [file], codec: "aac",
            width: nil, height: nil, durationSeconds: duration, sizeBytes: bytes, ssim: nil)
    }

    /// Keeps an audio piece's own frames (drops its pre-roll and the frames past its end) and checks it holds exactly
    /// the frames it was planned to: the piece then joins its neighbours frame for frame.
    public func keepAudioPieceFrames(_ task: SegmentTask, file: String, stagingDirectory: String) throws(JobError)
        -> OutputResult
    {
        let path = "\(TranscodeCommandBuilder.normalized(stagingDirectory))/\(file)"
        let kept: Int
        do {
            kept = try ADTSStream.trim(
                path: path, dropFirst: SegmentCommandBuilder.audioPreRoll(task), keep: task.expectedFrames)
        } catch {
            throw fail(task.name, "\(file): \(error)")
        }
        guard kept > 0, let bytes = size(path) else { throw fail(task.name, "\(file) holds no audio") }
        let seconds = Double(kept) * (task.audioGrid?.frameSeconds ?? 0)
        return OutputResult(
            name: (file as NSString).deletingPathExtension, kind: .mp4, path: file, files: [file], codec: "aac",
            width: nil, height: nil, durationSeconds: seconds, sizeBytes: bytes, ssim: nil)
    }
}
