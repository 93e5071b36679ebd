import Foundation
import Logging
import SpoolCore
import SpoolMedia
import SpoolStorage
import SpoolTraceContext
import Tracing

/// The three attempts of a segmented job beyond an ordinary transcode: planning (cut the input, submit one task per
/// segment and rendition plus the companion), a task (encode one piece), and the join (concatenate the pieces by
/// stream copy once every task has succeeded). Tasks are ordinary jobs: placed, leased, fenced and committed on
/// their own, so a worker's death loses only its piece and a preemption keeps every finished one.
extension AttemptRunner {
    /// How long a split job waits before it is looked at again, if its last task's worker never woke it.
    static var segmentRecheck: TimeInterval { 30 }

    /// Plans a job that may be split. Nil: encode it whole (it is short, or cannot be cut safely, and then the job
    /// records why); otherwise its tasks exist and the attempt ends waiting for them.
    func planSegments(_ job: Job, lease: Lease, input: String, source: MediaInfo) async throws -> Produced? {
        // Listing reads the whole video: a long input is listed in stretches, one ffprobe per core (at most 8).
        let list = try await MediaProber(tools: tools).videoPackets(
            path: input, durationSeconds: source.durationSeconds,
            processes: min(8, ProcessInfo.processInfo.activeProcessorCount))
        switch SegmentPlanner.plan(
            job.spec.segmenting, durationSeconds: source.durationSeconds, packets: list.packets,
            outputs: job.spec.outputs)
        {
        case .whole(nil):
            return nil
        case .whole(let reason?):
            logger.info("encoding whole-file", metadata: ["reason": "\(reason)"])
            try await store.apply(.recordSegmentation(lease, .wholeFile(because: reason)), to: job.id, now: Date())
            return nil
        case .split(let starts, let frames):
            let end = list.inputStart + source.videoDurationSeconds
            var audioGrid: AudioGrid?
            if let audio = source.audio, job.spec.outputs.contains(where: { !$0.audioBitratesKbps.isEmpty }) {
                audioGrid = try await MediaProber(tools: tools).audioGrid(path: input, sampleRate: audio.sampleRate)
            }
            let tasks = SegmentPlanner.tasks(
                parent: job.id, starts: starts, frames: frames, outputs: job.spec.outputs, audio: audioGrid,
                inputStart: list.inputStart, end: end)
            var records: [Segmentation.TaskRecord] = []
            for task in tasks {
                // Idempotent: a planner that died after submitting some tasks is followed by one that finds them.
                var spec = job.spec.segmentTaskSpec(task, pool: configuration.pool.name)
                // Each task's spans hang under the attempt that split the job, in the job's own trace.
                spec.traceParent = TraceParent.header(of: .current ?? .topLevel) ?? spec.traceParent
                let (child, _) = try await store.submit(spec, now: Date())
                records.append(Segmentation.TaskRecord(task: task, job: child.id))
            }
            let segmentation = Segmentation(
                starts: starts, inputStart: list.inputStart, end: end, tasks: records, audioGrid: audioGrid)
            try await store.apply(.recordSegmentation(lease, segmentation), to: job.id, now: Date())
            logger.info(
                "split into segments",
                metadata: [
                    "segments": "\(starts.count)", "tasks": "\(records.count)", "pool": "\(configuration.pool.name)",
                ])
            return Produced(
                outputs: [], reusedFrom: nil, resultKey: nil,
                awaitSegmentsUntil: Date().addingTimeInterval(Self.segmentRecheck))
        }
    }

    /// Encodes one task of a segmented job.
    func executeSegmentTask(
        _ job: Job, task: SegmentTask, lease: Lease, progress: ProgressCell, transcodeFinished: @Sendable () -> Void
    ) async throws -> Produced {
        guard let parent = try await store.job(task.parent), !parent.state.isTerminal else {
            // The job it belongs to was cancelled or ended: the piece is not needed.
            _ = try? await store.apply(.cancel, to: job.id, now: Date())
            throw JobError(code: .internalError, message: "its segmented job \(task.parent) has ended; task cancelled")
        }
        let inputStart = parent.segmentation?.inputStart ?? 0
        let attemptDirectory = files.layout.attemptDirectory(job.id, attempt: lease.attempt)
        let staging = files.layout.stagingDirectory(job.id, attempt: lease.attempt)
        let input = try await download(job, attemptDirectory: attemptDirectory)
        let source = try await probe(input, digest: nil)
        let path = try EncodePathChooser.choose(
            pool: configuration.pool.kind, inventory: inventory, placement: job.placement,
            acceleration: job.spec.acceleration
        ).get()
        let command: TranscodeCommand
        // A piece's ffmpeg covers its segment; the companion's the whole input.
        let pieceLength = max(
            0.1, (task.end ?? (inputStart + source.durationSeconds)) - (task.start ?? inputStart))
        let length: Double
        var pieceVideo: VideoSettings?
        switch task.piece {
        case .video:
            guard case .mp4(let video, _)? = job.spec.outputs.first?.format else {
                throw JobError(code: .internalError, message: "segment task \(task.name) names no video settings")
            }
            pieceVideo = video
            command = SegmentCommandBuilder.videoPiece(
                input: input, source: source, task: task, video: video, path: path, stagingDirectory: staging,
                threads: configuration.threadsPerOutput, encoderSpeed: job.encoderSpeed)
            length = pieceLength
        case .audio:
            command = SegmentCommandBuilder.audioPiece(
                input: input, task: task, bitrates: SegmentCommandBuilder.companionAudioBitrates(parent.spec.outputs),
                inputStart: inputStart, stagingDirectory: staging, threads: configuration.threadsPerOutput)
            length = pieceLength
        case .companion:
            // Plans recorded before audio was cut into pieces left the audio to the companion.
            command = SegmentCommandBuilder.companion(
                input: input, source: source, outputs: parent.spec.outputs, stagingDirectory: staging,
                threads: configuration.threadsPerOutput, audio: parent.segmentation?.audioGrid == nil)
            length = source.durationSeconds
        }
        logger.info(
            "encoding a segment task",
            metadata: ["task": "\(task.name)", "ffmpeg": "\(command.arguments.joined(separator: " "))"])
        do {
            try await runFFmpeg(command, job: job, lease: lease, seconds: length, progress: progress)
        } catch let error as JobError {
            throw InputDamage.classify(error, stderrTail: error.stderrTail ?? [])
        }
        await releaseSlot(lease, progress: progress, freeLocalSlot: transcodeFinished)
        let prober = MediaProber(tools: tools)
        let outputs = try await withSpan("worker.validate") { _ -> [OutputResult] in
            var outputs: [OutputResult]
            if let video = pieceVideo, let planned = command.outputs.first {
                outputs = [
                    try await SegmentPieceValidator(tools: tools, prober: prober).validateVideo(
                        task, file: planned.primaryPath, stagingDirectory: staging, video: video, source: source,
                        sourcePath: input, inputStart: inputStart, measureSSIM: configuration.measureSSIM)
                ]
            } else if case .audio = task.piece {
                outputs = []
                for kbps in SegmentCommandBuilder.companionAudioBitrates(parent.spec.outputs) {
                    outputs.append(
                        try SegmentPieceValidator(tools: tools, prober: prober).keepAudioPieceFrames(
                            task, file: SegmentCommandBuilder.audioPieceFile(kbps: kbps), stagingDirectory: staging))
                }
            } else {
                outputs = try await OutputValidator(tools: tools, prober: prober).validate(
                    command.outputs, stagingDirectory: staging, source: source, sourcePath: input, measureSSIM: false)
                if source.audio != nil, parent.segmentation?.audioGrid == nil {
                    for kbps in SegmentCommandBuilder.companionAudioBitrates(parent.spec.outputs) {
                        outputs.append(
                            try await SegmentPieceValidator(tools: tools, prober: prober).validateAudio(
                                file: SegmentCommandBuilder.audioFile(kbps: kbps), stagingDirectory: staging,
                                source: source))
                    }
                }
            }
            return outputs
        }
        try await upload(job, lease: lease, failure: "segment piece could not be stored")
        return Produced(outputs: outputs, reusedFrom: nil, resultKey: nil)
    }

    /// Joins a split job's pieces once every task has succeeded; until then the attempt ends waiting (holding no
    /// slot). A task that failed for good fails the job with its reason.
    func executeJoin(
        _ job: Job, segmentation: Segmentation, lease: Lease, progress: ProgressCell,
        transcodeFinished: @Sendable () -> Void
    ) async throws -> Produced {
        var tasks: [(record: Segmentation.TaskRecord, job: Job)] = []
        for record in segmentation.tasks {
            guard let child = try await store.job(record.job) else {
                throw JobError(
                    code: .internalError, message: "segment task \(record.task.name) (job \(record.job)) is gone")
            }
            tasks.append((record, child))
        }
        if let failed = tasks.first(where: { $0.job.state == .failed || $0.job.state == .cancelled }) {
            throw JobError(
                code: failed.job.error?.code ?? .transcodeFailed,
                message: "segment task \(failed.record.task.name) (job \(failed.job.id)) "
                    + (failed.job.state == .cancelled
                        ? "was cancelled" : "failed: \(failed.job.error?.message ?? "no reason recorded")"))
        }
        let fraction = SegmentProgress.fraction(of: tasks.map(\.job))
        guard tasks.allSatisfy({ $0.job.state == .succeeded }) else {
            progress.set(TranscodeProgress(fraction: fraction))
            transcodeFinished()
            return Produced(
                outputs: [], reusedFrom: nil, resultKey: nil,
                awaitSegmentsUntil: Date().addingTimeInterval(Self.segmentRecheck))
        }
        let attemptDirectory = files.layout.attemptDirectory(job.id, attempt: lease.attempt)
        let staging = files.layout.stagingDirectory(job.id, attempt: lease.attempt)
        let pieces = attemptDirectory + "/pieces"
        try FileManager.default.createDirectory(atPath: pieces, withIntermediateDirectories: true)
        let input = try await download(job, attemptDirectory: attemptDirectory)
        let source = try await probe(input, digest: nil)
        let companion = tasks.first { $0.record.task.piece == .companion }?.job
        var joinedAudio: [Int: String] = [:]
        /// The audio at one bitrate, and where it goes on the output's timeline: the pieces joined frame by frame,
        /// or (plans made before audio was cut) the companion's file.
        func audioTrack(kbps: Int) async throws -> (path: String, offset: Double?)? {
            guard source.audio != nil else { return nil }
            if let grid = segmentation.audioGrid {
                let offset = SegmentCommandBuilder.joinedAudioOffset(grid, inputStart: segmentation.inputStart)
                if let joined = joinedAudio[kbps] { return (joined, offset) }
                let pieceTasks = tasks.compactMap { task -> (Int, Job)? in
                    guard case .audio(let segment) = task.record.task.piece else { return nil }
                    return (segment, task.job)
                }.sorted { $0.0 < $1.0 }
                guard !pieceTasks.isEmpty else { return nil }
                var files: [String] = []
                for (_, piece) in pieceTasks {
                    files.append(
                        try await fetch(SegmentCommandBuilder.audioPieceFile(kbps: kbps), of: piece, into: pieces))
                }
                let joined = "\(pieces)/\(SegmentCommandBuilder.audioPieceFile(kbps: kbps))"
                try ADTSStream.concatenate(files, into: joined)
                joinedAudio[kbps] = joined
                return (joined, offset)
            }
            guard let companion else { return nil }
            return (try await fetch(SegmentCommandBuilder.audioFile(kbps: kbps), of: companion, into: pieces), nil)
        }
        var planned: [PlannedOutput] = []
        for (index, spec) in job.spec.outputs.enumerated() {
            let base = TranscodeCommandBuilder.baseName(spec.name, index: index)
            switch spec.format {
            case .mp4(_, let audio):
                let list = try await concatList(
                    of: tasks, output: index, rendition: 0, segmentation: segmentation, into: pieces,
                    named: "\(base).ffconcat")
                var audioFile: (path: String, offset: Double?)?
                if audio.codec != .none, let kbps = spec.audioBitratesKbps.first {
                    audioFile = try await audioTrack(kbps: kbps)
                }
                let output = PlannedOutput(spec: spec, primaryPath: "\(base).mp4")
                let command = TranscodeCommand(
                    arguments: SegmentCommandBuilder.joinMP4(
                        concatList: list, audio: audioFile?.path,
                        firstFrameOffset: (segmentation.starts.first ?? 0) - segmentation.inputStart,
                        audioOffset: audioFile?.offset, output: "\(staging)/\(base).mp4"),
                    outputs: [output], directories: [staging])
                try await runFFmpeg(command, job: job, lease: lease, seconds: source.durationSeconds)
                planned.append(output)
            case .thumbnails:
                guard let companion, let made = companion.outputs.first(where: { $0.name == spec.name }) else {
                    throw JobError(
                        code: .internalError, message: "the companion task made no thumbnails '\(spec.name)'")
                }
                for file in made.files {
                    let target = "\(staging)/\(file)"
                    try FileManager.default.createDirectory(
                        atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                    let fetched = try await fetch(file, of: companion, into: pieces)
                    try? FileManager.default.removeItem(atPath: target)
                    try FileManager.default.copyItem(atPath: fetched, toPath: target)
                }
                planned.append(PlannedOutput(spec: spec, primaryPath: made.path))
            case .hls(let renditions, let segmentSeconds):
                let folder = "\(staging)/\(base)"
                let cuts = HLSCuts.times(
                    starts: segmentation.starts, end: segmentation.end, segmentSeconds: segmentSeconds
                ).map { $0 - segmentation.inputStart }
                for (number, rendition) in renditions.enumerated() {
                    let list = try await concatList(
                        of: tasks, output: index, rendition: number, segmentation: segmentation, into: pieces,
                        named: "\(base)-r\(number).ffconcat")
                    var audioFile: (path: String, offset: Double?)?
                    if rendition.audio.codec != .none {
                        audioFile = try await audioTrack(kbps: rendition.audio.bitrateKbps ?? 128)
                    }
                    let directory = SegmentCommandBuilder.renditionFolder(folder, number)
                    let command = TranscodeCommand(
                        arguments: SegmentCommandBuilder.joinHLSRendition(
                            concatList: list, audio: audioFile?.path,
                            firstFrameOffset: (segmentation.starts.first ?? 0) - segmentation.inputStart,
                            audioOffset: audioFile?.offset, cuts: cuts, directory: directory),
                        outputs: [], directories: [staging, folder, directory])
                    try await runFFmpeg(command, job: job, lease: lease, seconds: source.durationSeconds)
                }
                try SegmentCommandBuilder.masterPlaylist(folder: folder, renditions: renditions, source: source)
                    .write(toFile: SegmentCommandBuilder.masterPlaylistPath(folder), atomically: true, encoding: .utf8)
                planned.append(
                    PlannedOutput(spec: spec, primaryPath: SegmentCommandBuilder.masterPlaylistPath(base)))
            }
        }
        transcodeFinished()
        let outputs = try await validated(
            TranscodeCommand(arguments: [], outputs: planned, directories: []), staging: staging, source: source,
            input: input, warnings: [])
        try await upload(job, lease: lease, failure: "outputs could not be stored")
        logger.info("joined segments", metadata: ["segments": "\(segmentation.starts.count)"])
        return Produced(outputs: outputs, reusedFrom: nil, resultKey: nil)
    }

    /// The concat list of one rendition's pieces, in segment order, fetched next to it.
    func concatList(
        of tasks: [(record: Segmentation.TaskRecord, job: Job)], output: Int, rendition: Int,
        segmentation: Segmentation, into pieces: String, named name: String
    ) async throws -> String {
        let parts = tasks.compactMap { entry -> (Int, Job)? in
            guard case .video(let segment, output, rendition) = entry.record.task.piece else { return nil }
            return (segment, entry.job)
        }.sorted { $0.0 < $1.0 }.map(\.1)
        var paths: [String] = []
        for part in parts {
            guard let file = part.outputs.first?.path else {
                throw JobError(code: .internalError, message: "segment task job \(part.id) has no output")
            }
            paths.append(try await fetch(file, of: part, into: pieces))
        }
        let list = "\(pieces)/\(name)"
        try SegmentCommandBuilder.concatList(pieces: paths, starts: segmentation.starts)
            .write(toFile: list, atomically: true, encoding: .utf8)
        return list
    }

    /// Runs one ffmpeg of a piece or a join under the worker's stall timeout, cap and memory limit, its PID recorded
    /// for the janitor, its progress reported when a cell is given.
    func runFFmpeg(
        _ command: TranscodeCommand, job: Job, lease: Lease, seconds: Double, progress: ProgressCell? = nil
    ) async throws {
        var runner = FFmpegRunner(
            tools: tools, clock: clock, stallTimeout: configuration.stallTimeout, hardCap: configuration.hardCap)
        runner.memoryLimitBytes = configuration.ffmpegMemoryLimitBytes
        let files = self.files
        try await withSpan("worker.ffmpeg") { span in
            _ = try await runner.run(
                command, sourceDurationSeconds: seconds,
                onStart: { pid in files.writePID(pid, job: job.id, attempt: lease.attempt) },
                onProgress: { progress?.set($0) }, onExit: { Self.record($0, on: span) })
        }
    }

    /// A committed file of a task's job, readable here: in place in the data directory, or downloaded from the
    /// bucket next to the join's other pieces.
    func fetch(_ file: String, of task: Job, into directory: String) async throws -> String {
        guard let relative = PathRules.normalize("/" + file), !file.contains("..") else {
            throw JobError(code: .internalError, message: "segment task \(task.id) names an odd file \(file)")
        }
        guard let remote else { return files.layout.outputDirectory(task.id) + relative }
        let destination =
            "\(directory)/\(task.id.rawValue)-\(relative.dropFirst().replacingOccurrences(of: "/", with: "_"))"
        do {
            try await remote.objects.download(
                ObjectKey(checked: remote.attemptPrefix(task.id, attempt: task.attempt) + relative.dropFirst()),
                toFile: destination)
        } catch {
            throw JobError(
                code: .internalError, message: "piece \(file) of segment task \(task.id) could not be fetched: \(error)"
            )
        }
        return destination
    }

    /// After a task ends: when every task of its job has ended, the job is woken to join them (or to fail).
    func wakeParent(of task: SegmentTask) async {
        guard let parent = try? await store.job(task.parent), parent.state == .queued,
            let segmentation = parent.segmentation, segmentation.isSplit
        else { return }
        for record in segmentation.tasks {
            guard let child = try? await store.job(record.job), child.state.isTerminal else { return }
        }
        do {
            try await store.apply(.segmentsReady, to: parent.id, now: Date())
            logger.info("every segment task has ended: the job is ready to join", metadata: ["parent": "\(parent.id)"])
        } catch {
            logger.debug("could not wake the segmented job", metadata: ["error": "\(error)"])
        }
    }
}
