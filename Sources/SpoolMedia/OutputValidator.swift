import Foundation
import Logging
import SpoolCore

/// Checks every output of a transcode with ffprobe before anything is committed: a truncated or wrong output must
/// never be published, even when ffmpeg exited 0.
public struct OutputValidator: Sendable {
    public var tools: MediaTools
    public var prober: MediaProber
    /// SSIM decodes the whole output and source; a measurement that runs longer is skipped, not failed.
    public var ssimTimeout: Duration
    public var logger: Logger

    /// Slack on top of one frame when comparing durations: container timestamps are rounded to their time base.
    static let durationEpsilon = 0.01
    /// Extra slack when only the container's duration is known for the source (audio can outlast video).
    static let containerDurationSlack = 0.25

    public init(
        tools: MediaTools = MediaTools(), prober: MediaProber = MediaProber(), ssimTimeout: Duration = .seconds(600),
        logger: Logger = Logger(label: "spool.media.validator")
    ) {
        self.tools = tools
        self.prober = prober
        self.ssimTimeout = ssimTimeout
        self.logger = logger
    }

    /// ffprobes every planned output in `stagingDirectory` and returns what was found, paths relative to it.
    ///
    /// MP4: codec, size, video duration within one frame of the source's, every packet readable (a file cut short
    /// after its `moov` header fails), AAC audio when asked. HLS: the master playlist lists every rendition, each
    /// variant playlist is finished and its segments exist and demux to the full duration. Thumbnails: JPEGs of the
    /// asked size, exactly `count` of them when a count was asked. SSIM of each MP4 and of the largest HLS
    /// rendition is measured when `measureSSIM`. Any mismatch is `validationFailed`, naming the output.
    public func validate(
        _ outputs: [PlannedOutput], stagingDirectory: String, source: MediaInfo, sourcePath: String,
        measureSSIM: Bool = true
    ) async throws(JobError) -> [OutputResult] {
        let context = Context(
            staging: TranscodeCommandBuilder.normalized(stagingDirectory), source: source, sourcePath: sourcePath,
            measureSSIM: measureSSIM,
            ssim: SSIMMeter(tools: tools, timeout: ssimTimeout, clock: prober.clock), prober: prober)
        var results: [OutputResult] = []
        for output in outputs {
            switch output.spec.format {
            case .mp4(let video, let audio):
                results.append(try await context.validateMP4(output, video: video, audio: audio))
            case .hls(let renditions, _):
                results.append(try await context.validateHLS(output, renditions: renditions))
            case .thumbnails(_, let count, let height):
                results.append(try await context.validateThumbnails(output, count: count, height: height))
            }
        }
        return results
    }

    private struct Context: Sendable {
        var staging: String
        var source: MediaInfo
        var sourcePath: String
        var measureSSIM: Bool
        var ssim: SSIMMeter
        var prober: MediaProber

        func absolute(_ relative: String) -> String { "\(staging)/\(relative)" }

        func fail(_ output: PlannedOutput, _ problem: String) -> JobError {
            JobError(
                code: .validationFailed,
                message: "output '\(output.spec.name)' (\(output.primaryPath)): \(problem)")
        }

        func fileSize(_ relative: String) -> Int64? {
            let attributes = try? FileManager.default.attributesOfItem(atPath: absolute(relative))
            guard attributes?[.type] as? FileAttributeType == .typeRegular else { return nil }
            return (attributes?[.size] as? NSNumber)?.int64Value
        }

        func requireFile(_ output: PlannedOutput, _ relative: String) throws(JobError) -> Int64 {
            guard let size = fileSize(relative) else { throw fail(output, "expected the file \(relative), found none") }
            guard size > 0 else { throw fail(output, "the file \(relative) is empty") }
            return size
        }

        /// One frame of the source (or of the output, when it was asked for a lower rate), plus rounding slack.
        /// Without a video stream duration the container's is all there is, and audio may run past the last frame.
        func durationTolerance(outputFPS: Double?) -> Double {
            let sourceFrame = 1 / max(source.video?.frameRate ?? 25, 1)
            let outputFrame = outputFPS.map { 1 / max($0, 1) } ?? 0
            let containerSlack = source.video?.durationSeconds == nil ? OutputValidator.containerDurationSlack : 0
            return max(sourceFrame, outputFrame) + OutputValidator.durationEpsilon + containerSlack
        }

        func probe(_ output: PlannedOutput, _ relative: String, countPackets: Bool) async throws(JobError)
            -> FFprobeDocument
        {
            do {
                return try await prober.probeOutput(path: absolute(relative), countPackets: countPackets)
            } catch  where error.code == .validationFailed {
                throw fail(output, error.message.replacingOccurrences(of: staging + "/", with: ""))
            }
        }

        /// Codec, size, duration and readability of the video stream of an MP4 or an HLS rendition.
        func checkVideo(
            _ output: PlannedOutput, _ document: FFprobeDocument, what: String, video: VideoSettings,
            headerDuration: Double?, wantsAudio: Bool
        ) throws(JobError) -> FrameSize {
            guard let stream = document.primaryVideo else { throw fail(output, "\(what) has no video stream") }
            let codec = stream.codecName ?? "unknown"
            guard codec == video.codec.rawValue else {
                throw fail(output, "\(what): expected video codec \(video.codec.rawValue), found \(codec)")
            }
            let expected = FrameSize.target(width: video.width, height: video.height, source: source)
            let found = FrameSize(width: stream.width ?? 0, height: stream.height ?? 0)
            guard found == expected else {
                throw fail(
                    output,
                    "\(what): expected \(expected.width)x\(expected.height), found \(found.width)x\(found.height)")
            }
            let target = source.videoDurationSeconds
            let tolerance = durationTolerance(outputFPS: video.fps)
            guard let duration = headerDuration else { throw fail(output, "\(what) has no duration") }
            if duration < target - tolerance {
                throw fail(
                    output,
                    "\(what) is \(seconds(duration)) long, \(InputDamage.shorterThanDeclared) (\(seconds(target)), "
                        + "±\(seconds(tolerance)))")
            }
            guard abs(duration - target) <= tolerance else {
                throw fail(
                    output,
                    "\(what): expected a duration of \(seconds(target)) (±\(seconds(tolerance))), "
                        + "found \(seconds(duration))"
                )
            }
            let readable = stream.nbReadPackets.flatMap { Int($0) } ?? 0
            if let declared = stream.nbFrames.flatMap({ Int($0) }), readable < declared {
                throw fail(output, "\(what) is truncated: \(readable) of \(declared) video frames can be read")
            }
            if let fps = stream.frameRate, Double(readable) / fps < target - tolerance {
                throw fail(
                    output,
                    "\(what) is truncated: its readable frames cover \(seconds(Double(readable) / fps)) of "
                        + "\(seconds(target))")
            }
            if wantsAudio, document.primaryAudio?.codecName != "aac" {
                throw fail(output, "\(what): expected AAC audio, found \(document.primaryAudio?.codecName ?? "none")")
            }
            return found
        }

        func wantsAudio(_ audio: AudioSettings) -> Bool { audio.codec != .none && source.audio != nil }

        func measure(_ output: PlannedOutput, _ relative: String, size: FrameSize) async throws(JobError) -> Double? {
            guard measureSSIM else { return nil }
            if let reference = output.ssimReference, FileManager.default.fileExists(atPath: reference) {
                // Read once, then gone: a long job's disk holds it no longer than needed.
                defer { try? FileManager.default.removeItem(atPath: reference) }
                return try await ssim.measure(
                    output: absolute(relative), reference: reference, size: size,
                    duration: source.videoDurationSeconds, label: "output '\(output.spec.name)' (\(relative))")
            }
            return try await ssim.measure(
                output: absolute(relative), source: sourcePath, size: size, duration: source.videoDurationSeconds,
                label: "output '\(output.spec.name)' (\(relative))")
        }

        func validateMP4(_ output: PlannedOutput, video: VideoSettings, audio: AudioSettings) async throws(JobError)
            -> OutputResult
        {
            let relative = output.primaryPath
            let size = try requireFile(output, relative)
            let document = try await probe(output, relative, countPackets: true)
            let stream = document.primaryVideo
            let duration = stream?.durationSeconds ?? document.format?.durationSeconds
            let frame = try checkVideo(
                output, document, what: relative, video: video, headerDuration: duration,
                wantsAudio: wantsAudio(audio))
            return OutputResult(
                name: output.spec.name, kind: .mp4, path: relative, files: [relative], codec: stream?.codecName,
                width: frame.width, height: frame.height, durationSeconds: duration, sizeBytes: size,
                ssim: try await measure(output, relative, size: frame))
        }

        func validateHLS(_ output: PlannedOutput, renditions: [Rendition]) async throws(JobError) -> OutputResult {
            let folder = output.directory ?? ""
            let masterRelative = output.primaryPath
            var totalSize = try requireFile(output, masterRelative)
            guard let masterText = try? String(contentsOfFile: absolute(masterRelative), encoding: .utf8),
                let master = HLSPlaylist.parse(masterText)
            else { throw fail(output, "the master playlist is not an M3U8 playlist") }
            let expected = renditions.indices.map { "\(OutputLayout.variantName($0))/\(OutputLayout.variantPlaylist)" }
            let missing = expected.filter { !master.uris.contains($0) }
            guard missing.isEmpty, master.uris.count == expected.count else {
                throw fail(
                    output,
                    "the master playlist lists [\(master.uris.joined(separator: ", "))], expected "
                        + "[\(expected.joined(separator: ", "))]")
            }

            var files = [masterRelative]
            var top: (index: Int, frame: FrameSize, codec: String?, duration: Double)?
            for (index, rendition) in renditions.enumerated() {
                let variantRelative = "\(folder)/\(expected[index])"
                let variantFolder = "\(folder)/\(OutputLayout.variantName(index))"
                totalSize += try requireFile(output, variantRelative)
                guard let text = try? String(contentsOfFile: absolute(variantRelative), encoding: .utf8),
                    let variant = HLSPlaylist.parse(text)
                else { throw fail(output, "\(variantRelative) is not an M3U8 playlist") }
                guard variant.hasEndList else {
                    throw fail(output, "\(variantRelative) is unfinished (no #EXT-X-ENDLIST)")
                }
                guard !variant.uris.isEmpty else { throw fail(output, "\(variantRelative) lists no segments") }
                files.append(variantRelative)
                for segment in variant.uris {
                    guard HLSPlaylist.isLocalRelative(segment) else {
                        throw fail(output, "\(variantRelative) lists a segment outside its folder: \(segment)")
                    }
                    let segmentRelative = "\(variantFolder)/\(segment)"
                    totalSize += try requireFile(output, segmentRelative)
                    files.append(segmentRelative)
                }
                let document = try await probe(output, variantRelative, countPackets: true)
                let frame = try checkVideo(
                    output, document, what: variantRelative, video: rendition.video,
                    headerDuration: variant.totalDuration, wantsAudio: wantsAudio(rendition.audio))
                if top.map({ FrameSize.largest([$0.frame, frame]) == 1 }) ?? true {
                    top = (index, frame, document.primaryVideo?.codecName, variant.totalDuration)
                }
            }
            guard let top else { throw fail(output, "the ladder has no renditions") }
            let topPlaylist = "\(folder)/\(expected[top.index])"
            return OutputResult(
                name: output.spec.name, kind: .hls, path: masterRelative, files: files, codec: top.codec,
                width: top.frame.width, height: top.frame.height, durationSeconds: top.duration, sizeBytes: totalSize,
                ssim: try await measure(output, topPlaylist, size: top.frame))
        }

        func validateThumbnails(_ output: PlannedOutput, count: Int?, height: Int) async throws(JobError)
            -> OutputResult
        {
            let folder = output.directory ?? ""
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: absolute(folder))) ?? [])
                .filter(OutputLayout.isThumbnailFile).sorted()
            guard !names.isEmpty else { throw fail(output, "expected JPEG thumbnails in \(folder)/, found none") }
            if let count, names.count != count {
                throw fail(output, "expected \(count) thumbnails, found \(names.count)")
            }
            let files = names.map { "\(folder)/\($0)" }
            var totalSize: Int64 = 0
            for file in files { totalSize += try requireFile(output, file) }
            let document = try await probe(output, files[0], countPackets: false)
            let expected = FrameSize.target(width: nil, height: height, source: source)
            guard let stream = document.primaryVideo, stream.codecName == "mjpeg" else {
                throw fail(output, "\(files[0]) is not a JPEG image")
            }
            let found = FrameSize(width: stream.width ?? 0, height: stream.height ?? 0)
            guard found == expected else {
                throw fail(
                    output,
                    "\(files[0]): expected \(expected.width)x\(expected.height), found \(found.width)x\(found.height)")
            }
            return OutputResult(
                name: output.spec.name, kind: .thumbnails, path: files[0], files: files, codec: "mjpeg",
                width: found.width, height: found.height, durationSeconds: nil, sizeBytes: totalSize, ssim: nil)
        }

        func seconds(_ value: Double) -> String { "\(FFmpegNumber.format(value, maxFractionDigits: 3)) s" }
    }
}
