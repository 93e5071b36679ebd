import SpoolCore

/// Turns a job's outputs into one ffmpeg argv. Pure: the same inputs always give the same argv.
public enum TranscodeCommandBuilder {
    static let defaultAudioKbps = 128
    /// A mild sharpen after downscaling: real OpenCL work that keeps the picture close to the source.
    static let openCLFilter = "unsharp_opencl=lx=5:ly=5:la=0.5"
    static let thumbnailQuality = "3"

    /// ONE ffmpeg invocation per job producing every output, so the input is decoded once and split in a
    /// filter graph: MP4 files, an HLS ladder (a variant playlist per rendition under `<name>/r<i>/` and
    /// `<name>/master.m3u8`), and JPEG thumbnails under `<name>/`.
    ///
    /// Every argv carries `-nostdin` (stop is by signal), `-progress pipe:1`, and for the input
    /// `-protocol_whitelist file,pipe` plus a container whitelist. `-y` is safe because every output lies in
    /// `stagingDirectory`, which the worker owns and must not contain '%' (ffmpeg reads it as a number pattern).
    /// Sizes come from `source` (its displayed size), and `count` thumbnails are spread over its video duration.
    ///
    /// With `ssimReferenceDirectory`, the frames each measured output's SSIM is compared with are written there too
    /// (see `SSIMReference`), so validation does not decode the source a second time. It must lie outside
    /// `stagingDirectory`, whose every file is published.
    public static func build(
        input: String, source: MediaInfo, outputs: [OutputSpec], path: EncodePath, stagingDirectory: String,
        threadsPerOutput: Int? = nil, encoderSpeed: EncoderSpeed = .standard, ssimReferenceDirectory: String? = nil
    ) -> TranscodeCommand {
        let staging = normalized(stagingDirectory)
        var arguments = ["-hide_banner", "-nostdin", "-nostats", "-loglevel", "warning", "-progress", "pipe:1", "-y"]
        switch path {
        case .cpu:
            break
        case .opencl(let selector):
            arguments += ["-init_hw_device", "opencl=ocl:\(selector)", "-filter_hw_device", "ocl"]
        case .cuda(let gpuIndex, _):
            arguments += ["-hwaccel", "cuda", "-hwaccel_device", "\(gpuIndex)", "-hwaccel_output_format", "cuda"]
        }
        arguments += ["-protocol_whitelist", "file,pipe", "-format_whitelist", MediaInfo.inputFormatWhitelist]
        arguments += ["-i", FFmpegURL.input(input)]

        var plan = Plan(
            path: path, source: source, staging: staging, threads: threadsPerOutput, encoderSpeed: encoderSpeed)
        let references = ssimReferenceDirectory.flatMap {
            SSIMReference.Tap(directory: normalized($0), path: path, source: source)
        }
        var planned: [PlannedOutput] = []
        var directories = [staging]
        if let references { directories.append(references.directory) }
        for (index, spec) in LadderFitting.fit(outputs, to: source).enumerated() {
            let base = baseName(spec.name, index: index)
            switch spec.format {
            case .mp4(let video, let audio):
                let reference = plan.addMP4(
                    video: video, audio: audio, file: "\(base).mp4", ssimReference: references?.file(for: base))
                planned.append(PlannedOutput(spec: spec, primaryPath: "\(base).mp4", ssimReference: reference))
            case .hls(let renditions, let segmentSeconds):
                let reference = plan.addHLS(
                    renditions: renditions, segmentSeconds: segmentSeconds, folder: base,
                    ssimReference: references?.file(for: base))
                planned.append(
                    PlannedOutput(
                        spec: spec, primaryPath: "\(base)/\(OutputLayout.masterPlaylist)", ssimReference: reference))
                directories.append("\(staging)/\(base)")
            case .thumbnails(let everySeconds, let count, let height):
                plan.addThumbnails(everySeconds: everySeconds, count: count, height: height, folder: base)
                planned.append(PlannedOutput(spec: spec, primaryPath: "\(base)/\(OutputLayout.firstThumbnail)"))
                directories.append("\(staging)/\(base)")
            }
        }
        if !plan.chains.isEmpty {
            arguments += ["-filter_complex", plan.filterGraph]
        }
        arguments += plan.outputArguments
        return TranscodeCommand(arguments: arguments, outputs: planned, directories: directories)
    }

    static func normalized(_ directory: String) -> String {
        var directory = directory
        while directory.count > 1 && directory.hasSuffix("/") { directory.removeLast() }
        return directory
    }

    /// Output names are validated upstream to [a-z0-9_-]; anything else would become a path, so it is replaced.
    public static func baseName(_ name: String, index: Int) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789_-")
        let safe = !name.isEmpty && name.count <= 64 && name.first != "-" && name.allSatisfy(allowed.contains)
        return safe ? name : "output-\(index)"
    }

    /// The filter chains and per-output options accumulated while walking the job's outputs.
    struct Plan {
        let path: EncodePath
        let source: MediaInfo
        let staging: String
        let threads: Int?
        /// Only the encoder's effort changes with it; every size, codec and rate stays as the outputs say.
        let encoderSpeed: EncoderSpeed
        var chains: [String] = []
        /// Branch index → the chain from that branch's picture to its SSIM reference frames (`[r<i>]`).
        var taps: [Int: String] = [:]
        var outputArguments: [String] = []

        init(path: EncodePath, source: MediaInfo, staging: String, threads: Int?, encoderSpeed: EncoderSpeed) {
            self.path = path
            self.source = source
            self.staging = staging
            self.threads = threads
            self.encoderSpeed = encoderSpeed
        }

        var nvenc: Bool {
            if case .cuda(_, true) = path { return true }
            return false
        }

        /// `[0:v:0]` split once into one branch per encoded picture stream; a branch with an SSIM tap splits once
        /// more after its last filter, so the reference is exactly the picture its encoder was given.
        var filterGraph: String {
            func ending(_ index: Int) -> String {
                guard let tap = taps[index] else { return "[v\(index)]" }
                return ",split=2[v\(index)][t\(index)];[t\(index)]\(tap)[r\(index)]"
            }
            if chains.count == 1 { return "[0:v:0]\(chains[0])\(ending(0))" }
            let splitLabels = chains.indices.map { "[s\($0)]" }.joined()
            let branches = chains.enumerated().map { "[s\($0.offset)]\($0.element)\(ending($0.offset))" }
            return (["[0:v:0]split=\(chains.count)\(splitLabels)"] + branches).joined(separator: ";")
        }

        /// Taps branch `index` for the SSIM window of `source` and adds the output writing it to `file`; nil (no tap,
        /// validation decodes the source instead) when the window's raw frames would take too much space.
        mutating func addSSIMReference(branch index: Int, file: String, video: VideoSettings) -> String? {
            let size = FrameSize.target(width: video.width, height: video.height, source: source)
            let rate = video.fps ?? source.video?.frameRate ?? 30
            guard SSIMReference.fits(size: size, frameRate: rate, duration: source.videoDurationSeconds) else {
                return nil
            }
            taps[index] = SSIMReference.tapChain(duration: source.videoDurationSeconds)
            outputArguments += ["-map", "[r\(index)]"] + SSIMReference.outputArguments(file: file)
            return file
        }

        /// Adds a branch to the graph and returns the label its output carries.
        mutating func branch(_ chain: String) -> String {
            chains.append(chain)
            return "[v\(chains.count - 1)]"
        }

        func wantsAudio(_ audio: AudioSettings) -> Bool {
            audio.codec != .none && source.audio != nil
        }

        var threadArguments: [String] {
            threads.map { ["-threads", "\($0)"] } ?? []
        }

        /// Returns the SSIM reference file it writes, if any.
        mutating func addMP4(video: VideoSettings, audio: AudioSettings, file: String, ssimReference: String?)
            -> String?
        {
            let label = branch(videoChain(video))
            var arguments = ["-map", label]
            if wantsAudio(audio) { arguments += ["-map", "0:a:0"] }
            arguments += videoEncoder(video, stream: ":v", hls: false)
            // MP4's default would make a variable-rate input constant by repeating and dropping frames; every frame
            // keeps its own time instead (the fps filter sets a rate when one is asked), as segments encoded apart
            // must too. `vfr`, not `passthrough`: a damaged input's frame that repeats a timestamp is dropped rather
            // than failing the muxer (the segment planner encodes such inputs whole).
            if video.fps == nil { arguments += ["-fps_mode", "vfr"] }
            arguments += threadArguments
            if wantsAudio(audio) {
                arguments += ["-c:a", "aac", "-b:a", "\(audio.bitrateKbps ?? defaultAudioKbps)k"]
            } else {
                arguments.append("-an")
            }
            arguments += ["-movflags", "+faststart", "-f", "mp4", "\(staging)/\(file)"]
            outputArguments += arguments
            guard let ssimReference else { return nil }
            return addSSIMReference(branch: chains.count - 1, file: ssimReference, video: video)
        }

        /// Returns the SSIM reference file it writes (of its largest rendition), if any.
        mutating func addHLS(renditions: [Rendition], segmentSeconds: Int, folder: String, ssimReference: String?)
            -> String?
        {
            let firstBranch = chains.count
            var maps: [String] = []
            var encoders: [String] = []
            var audioBitrates: [String] = []
            var streamMap: [String] = []
            var audioIndex = 0
            for (index, rendition) in renditions.enumerated() {
                maps += ["-map", branch(videoChain(rendition.video))]
                encoders += videoEncoder(rendition.video, stream: ":v:\(index)", hls: true)
                var entry = "v:\(index)"
                if wantsAudio(rendition.audio) {
                    maps += ["-map", "0:a:0"]
                    audioBitrates += ["-b:a:\(audioIndex)", "\(rendition.audio.bitrateKbps ?? defaultAudioKbps)k"]
                    entry += ",a:\(audioIndex)"
                    audioIndex += 1
                }
                streamMap.append(entry + ",name:\(OutputLayout.variantName(index))")
            }
            var arguments = maps + encoders
            arguments += audioIndex > 0 ? ["-c:a", "aac"] + audioBitrates : ["-an"]
            // A key frame at every segment boundary in every rendition, so players can switch between them.
            arguments += ["-force_key_frames:v", "expr:gte(t,n_forced*\(segmentSeconds))"]
            arguments += threadArguments
            arguments += [
                "-f", "hls", "-hls_time", "\(segmentSeconds)", "-hls_playlist_type", "vod",
                "-hls_flags", "independent_segments", "-hls_segment_type", "mpegts",
                "-hls_segment_filename", "\(staging)/\(folder)/%v/\(OutputLayout.segmentPattern)",
                "-master_pl_name", OutputLayout.masterPlaylist,
                "-var_stream_map", streamMap.joined(separator: " "),
                "\(staging)/\(folder)/%v/\(OutputLayout.variantPlaylist)",
            ]
            outputArguments += arguments
            let sizes = renditions.map {
                FrameSize.target(width: $0.video.width, height: $0.video.height, source: source)
            }
            guard let ssimReference, let largest = FrameSize.largest(sizes) else { return nil }
            return addSSIMReference(
                branch: firstBranch + largest, file: ssimReference, video: renditions[largest].video)
        }

        mutating func addThumbnails(everySeconds: Double?, count: Int?, height: Int, folder: String) {
            let size = FrameSize.target(width: nil, height: height, source: source)
            let rate: String
            if let count, count > 0 {
                let duration = source.videoDurationSeconds > 0 ? source.videoDurationSeconds : 1
                rate = "\(count)/\(FFmpegNumber.format(duration))"
            } else {
                rate = "1/\(FFmpegNumber.format(everySeconds ?? 10))"
            }
            var filters = ["fps=\(rate)"]
            // Full-range yuv420p is what JPEG stores; asking for it directly avoids swscale's deprecated yuvj formats.
            switch path {
            case .cpu, .opencl:
                filters += ["scale=\(size.width):\(size.height):out_range=pc", "format=yuv420p"]
            case .cuda:
                filters += [
                    "scale_cuda=\(size.width):\(size.height):format=nv12", "hwdownload", "format=nv12",
                    "scale=out_range=pc", "format=yuv420p",
                ]
            }
            var arguments = ["-map", branch(filters.joined(separator: ","))]
            // mjpeg takes full-range yuv420p only below "normal" strictness; the output is an ordinary baseline JPEG.
            arguments += ["-c:v", "mjpeg", "-strict:v", "unofficial", "-q:v", thumbnailQuality]
            if let count, count > 0 { arguments += ["-frames:v", "\(count)"] }
            arguments += threadArguments
            arguments += [
                "-f", "image2", "-start_number", "1", "\(staging)/\(folder)/\(OutputLayout.thumbnailPattern)",
            ]
            outputArguments += arguments
        }

        func videoChain(_ video: VideoSettings) -> String {
            let size = FrameSize.target(width: video.width, height: video.height, source: source)
            var filters: [String] = []
            if let fps = video.fps { filters.append("fps=\(FFmpegNumber.format(fps))") }
            switch path {
            case .cpu:
                filters += ["scale=\(size.width):\(size.height)", "format=yuv420p"]
            case .opencl:
                // Debian's ffmpeg 5.1 has no scale_opencl: scale on CPU, then one upload/filter/download round trip.
                filters += [
                    "scale=\(size.width):\(size.height)", "format=yuv420p", "hwupload", openCLFilter, "hwdownload",
                    "format=yuv420p",
                ]
            case .cuda(_, let nvenc):
                // nv12 keeps 10-bit sources encodable by h264_nvenc and libx264 alike (8-bit 4:2:0 out).
                filters.append("scale_cuda=\(size.width):\(size.height):format=nv12")
                if !nvenc { filters += ["hwdownload", "format=nv12"] }
            }
            return filters.joined(separator: ",")
        }

        /// A VBV cap for a CRF rendition of a ladder, about 0.12 bits per pixel per frame (7.5 Mbit/s at 1080p30).
        /// hlsenc leaves a rendition with no known bitrate out of the master playlist, and players pick renditions
        /// by the BANDWIDTH it writes from this cap.
        func ladderCapKbps(_ video: VideoSettings) -> Int {
            let size = FrameSize.target(width: video.width, height: video.height, source: source)
            let fps = video.fps ?? source.video?.frameRate ?? 30
            return max(200, Int((Double(size.width * size.height) * fps * 0.12 / 1000).rounded()))
        }

        func videoEncoder(_ video: VideoSettings, stream s: String, hls: Bool) -> [String] {
            var arguments: [String]
            switch (video.codec, nvenc) {
            case (.h264, false):
                arguments = ["-c\(s)", "libx264", "-preset\(s)", encoderSpeed.softwarePreset]
            case (.hevc, false):
                arguments = [
                    "-c\(s)", "libx265", "-preset\(s)", encoderSpeed.softwarePreset, "-x265-params\(s)",
                    "log-level=error",
                ]
            case (.h264, true):
                arguments = ["-c\(s)", "h264_nvenc", "-preset\(s)", encoderSpeed.nvencPreset]
            case (.hevc, true):
                arguments = ["-c\(s)", "hevc_nvenc", "-preset\(s)", encoderSpeed.nvencPreset]
            }
            if let kbps = video.bitrateKbps {
                if nvenc { arguments += ["-rc\(s)", "vbr"] }
                arguments += ["-b\(s)", "\(kbps)k", "-maxrate\(s)", "\(kbps)k", "-bufsize\(s)", "\(kbps * 2)k"]
            } else {
                let crf = video.crf ?? (video.codec == .h264 ? 23 : 28)
                arguments += nvenc ? ["-rc\(s)", "vbr", "-cq\(s)", "\(crf)", "-b\(s)", "0"] : ["-crf\(s)", "\(crf)"]
                if hls {
                    let cap = ladderCapKbps(video)
                    arguments += ["-maxrate\(s)", "\(cap)k", "-bufsize\(s)", "\(cap * 2)k"]
                }
            }
            // Apple players need the hvc1 tag to play HEVC in MP4; MPEG-TS segments have no such tag.
            if video.codec == .hevc && !hls { arguments += ["-tag\(s)", "hvc1"] }
            // NVENC marks forced key frames as plain I frames unless told, and HLS segments must start on IDR.
            if nvenc && hls { arguments += ["-forced-idr\(s)", "1"] }
            return arguments
        }
    }
}
