import Foundation
import Logging
import SpoolCore
import Subprocess
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs one transcode and watches it. ffmpeg gets its own process group, so every stop (watchdog, cancellation)
/// reaches the whole group, and a stop is always SIGTERM, a grace period, then SIGKILL.
public struct FFmpegRunner<C: Clock>: Sendable where C.Duration == Duration {
    public var tools: MediaTools
    public var clock: C
    /// How long out_time, frame count and output size may all stand still before the job counts as stalled.
    public var stallTimeout: Duration
    /// The longest any one transcode may run.
    public var hardCap: Duration
    /// How long ffmpeg gets after SIGTERM before the group is killed.
    public var killGrace: Duration
    public var logger: Logger
    /// RLIMIT_AS for ffmpeg, set by prlimit(1), which then execs ffmpeg in the same process (same pid and group).
    public var memoryLimitBytes: Int?

    static var stderrTailLines: Int { 20 }

    public init(
        tools: MediaTools = MediaTools(), clock: C, stallTimeout: Duration = .seconds(60),
        hardCap: Duration = .seconds(6 * 3600), killGrace: Duration = .seconds(1),
        logger: Logger = Logger(label: "spool.media.ffmpeg")
    ) {
        self.tools = tools
        self.clock = clock
        self.stallTimeout = stallTimeout
        self.hardCap = hardCap
        self.killGrace = killGrace
        self.logger = logger
    }

    /// Runs ffmpeg in its own process group. `onStart` gets the pid (== pgid) right after spawn; `onProgress` gets a
    /// snapshot per `-progress` block (the newest one when the callback is slower than ffmpeg).
    ///
    /// - Throws: `JobError` `.stalled` when progress stands still for `stallTimeout`, `.timeout` past `hardCap`,
    ///   `.transcodeFailed` on a non-zero exit (with the last stderr lines). If the calling task is cancelled, the
    ///   group gets SIGTERM, then SIGKILL after `killGrace`; once ffmpeg has exited this throws `CancellationError`.
    /// - Returns: the last stderr lines of a run that exited 0 (warnings about the input live there).
    /// - Parameter onExit: told how ffmpeg ended once it has (its exit code, or the signal that killed it), before
    ///   the outcome is judged; for the caller's trace.
    @discardableResult
    public func run(
        _ command: TranscodeCommand, sourceDurationSeconds: Double,
        onStart: @escaping @Sendable (Int32) -> Void,
        onProgress: @escaping @Sendable (TranscodeProgress) async -> Void,
        onExit: @Sendable (FFmpegExit) -> Void = { _ in }
    ) async throws -> [String] {
        try Task.checkCancellation()
        try Self.createDirectories(command.directories)

        var options = PlatformOptions()
        options.processGroupID = 0
        // Used by swift-subprocess when the calling task is cancelled.
        options.teardownSequence = [.gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: killGrace)]
        let configuration =
            if let memoryLimitBytes {
                Configuration(
                    executable: MediaTools.executable("prlimit"),
                    arguments: Arguments(["--as=\(memoryLimitBytes)", "--", tools.ffmpeg] + command.arguments),
                    platformOptions: options)
            } else {
                Configuration(
                    executable: MediaTools.executable(tools.ffmpeg), arguments: Arguments(command.arguments),
                    platformOptions: options)
            }
        logger.debug("starting ffmpeg", metadata: ["argv": .array(command.arguments.map { .string($0) })])

        let status: TerminationStatus
        let supervision: Supervision
        do {
            let result = try await Subprocess.run(
                configuration, input: .none, output: .sequence, error: .sequence
            ) { execution in
                let pid = execution.processIdentifier.value
                onStart(pid)
                return await supervise(
                    pid: pid, stdout: execution.standardOutput, stderr: execution.standardError,
                    durationSeconds: sourceDurationSeconds, onProgress: onProgress)
            }
            status = result.terminationStatus
            supervision = result.closureResult
        } catch let error as SubprocessError where error.code == .executableNotFound {
            throw JobError(code: .internalError, message: MediaToolsError.notFound(tools.ffmpeg).message)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            try Task.checkCancellation()
            throw JobError(
                code: .internalError,
                message: MediaToolsError.unusable(tools.ffmpeg, reason: String(describing: error)).message)
        }
        logger.debug("ffmpeg ended", metadata: ["status": "\(status)"])
        switch status {
        case .exited(let code): onExit(FFmpegExit(code: code, signal: nil))
        case .signaled(let signal): onExit(FFmpegExit(code: nil, signal: signal))
        }

        try Task.checkCancellation()
        if var stop = supervision.watchdogStop {
            stop.stderrTail = supervision.stderrTail
            throw stop
        }
        guard status.isSuccess else {
            let last = supervision.stderrTail.last.map { ": \($0)" } ?? ""
            if let memoryLimitBytes, Self.ranOutOfMemory(status: status, stderrTail: supervision.stderrTail) {
                throw JobError(
                    code: .resourceLimit,
                    message: "ffmpeg needed more than the \(memoryLimitBytes >> 20) MiB of address space this worker "
                        + "allows (--ffmpeg-memory-limit) and \(status.plainDescription)\(last)",
                    stderrTail: supervision.stderrTail)
            }
            throw JobError(
                code: .transcodeFailed, message: "ffmpeg \(status.plainDescription)\(last)",
                stderrTail: supervision.stderrTail)
        }
        return supervision.stderrTail
    }

    /// What ffmpeg does at RLIMIT_AS: an allocation fails and it says so and exits, or a library aborts or crashes on
    /// the failed allocation. Not SIGKILL: the limit never sends it; that comes from outside (the OOM killer of a
    /// container, an operator) and is an ordinary failure.
    static func ranOutOfMemory(status: TerminationStatus, stderrTail: [String]) -> Bool {
        if case .signaled(let signal) = status, [SIGABRT, SIGSEGV, SIGBUS].contains(signal) {
            return true
        }
        let markers = [
            "Cannot allocate memory", "bad_alloc", "out of memory", "Out of memory", "malloc of size",
            "failed to map segment", "Resource temporarily unavailable",
        ]
        return stderrTail.contains { line in markers.contains { line.contains($0) } }
    }

    static func createDirectories(_ directories: [String]) throws(JobError) {
        for directory in directories {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw JobError(
                    code: .internalError,
                    message: "cannot create the output folder \(directory) (\(error.localizedDescription)); "
                        + "check the worker's disk space and permissions")
            }
        }
    }

    struct Supervision: Sendable {
        var watchdogStop: JobError?
        var stderrTail: [String]
    }

    private enum Event: Sendable {
        case streamClosed
        case watchdogFired(JobError)
        case watchdogStopped
        case graceElapsed
        case graceStopped
    }

    /// Reads both pipes, feeds progress to the caller and runs the watchdog until ffmpeg's pipes close. Never throws:
    /// the pipe readers only end when the process does, so leaving early would wait on them forever.
    private func supervise(
        pid: Int32, stdout: SubprocessOutputSequence, stderr: SubprocessOutputSequence, durationSeconds: Double,
        onProgress: @escaping @Sendable (TranscodeProgress) async -> Void
    ) async -> Supervision {
        let monitor = ProgressMonitor(start: clock.now)
        let tail = LineTail(limit: Self.stderrTailLines)
        let (snapshots, snapshotSink) = AsyncStream.makeStream(
            of: TranscodeProgress.self, bufferingPolicy: .bufferingNewest(1))

        let stop = await withTaskGroup(of: JobError?.self) { outer in
            // Delivery runs apart from reading so a slow callback can neither stall ffmpeg nor look like a stall.
            outer.addTask {
                for await snapshot in snapshots { await onProgress(snapshot) }
                return nil
            }
            outer.addTask {
                await withTaskGroup(of: Event.self) { group in
                    group.addTask {
                        var parser = FFmpegProgressParser(durationSeconds: durationSeconds)
                        await Self.readLines(stdout) { line in
                            guard let snapshot = parser.feed(line: line) else { return }
                            monitor.observe(parser.advanceMarker, at: clock.now)
                            snapshotSink.yield(snapshot)
                        }
                        snapshotSink.finish()
                        return .streamClosed
                    }
                    group.addTask {
                        await Self.readLines(stderr) { tail.append($0) }
                        return .streamClosed
                    }
                    group.addTask { await watchdog(monitor) }

                    var openStreams = 2
                    var fired: JobError?
                    while let event = await group.next() {
                        switch event {
                        case .streamClosed:
                            openStreams -= 1
                            guard openStreams == 0 else { continue }
                            // The leader is not reaped until this closure returns, so the group id is still ours.
                            if fired != nil { ProcessGroup.signal(pid, SIGKILL) }
                            group.cancelAll()
                        case .watchdogFired(let error):
                            fired = error
                            logger.warning(
                                "stopping ffmpeg", metadata: ["pid": "\(pid)", "reason": "\(error.message)"])
                            ProcessGroup.signal(pid, SIGTERM)
                            group.addTask {
                                do {
                                    try await clock.sleep(for: killGrace)
                                    return .graceElapsed
                                } catch {
                                    return .graceStopped
                                }
                            }
                        case .graceElapsed:
                            ProcessGroup.signal(pid, SIGKILL)
                        case .watchdogStopped, .graceStopped:
                            break
                        }
                    }
                    return fired
                }
            }
            var stop: JobError?
            for await result in outer where result != nil { stop = result }
            return stop
        }
        return Supervision(watchdogStop: stop, stderrTail: tail.snapshot)
    }

    private func watchdog(_ monitor: ProgressMonitor<C.Instant>) async -> Event {
        let capDeadline = monitor.start.advanced(by: hardCap)
        while true {
            let stallDeadline = monitor.lastAdvance.advanced(by: stallTimeout)
            do {
                try await clock.sleep(until: min(stallDeadline, capDeadline), tolerance: nil)
            } catch {
                return .watchdogStopped
            }
            let now = clock.now
            if now >= capDeadline {
                return .watchdogFired(
                    JobError(
                        code: .timeout,
                        message: "the transcode ran past its \(hardCap.secondsText) cap and was stopped at "
                            + "\(monitor.mediaTimeText); split the input or raise the cap"))
            }
            if monitor.lastAdvance.advanced(by: stallTimeout) <= now {
                return .watchdogFired(
                    JobError(
                        code: .stalled,
                        message: "ffmpeg made no progress for \(stallTimeout.secondsText) (stuck at "
                            + "\(monitor.mediaTimeText)) and was stopped; the input may be damaged or the device "
                            + "hung; retry, or check the input"))
            }
        }
    }

    private static func readLines(
        _ sequence: SubprocessOutputSequence, _ handle: (String) -> Void
    ) async {
        var splitter = LineSplitter()
        do {
            for try await buffer in sequence {
                for line in buffer.withUnsafeBytes({ splitter.append($0) }) { handle(line) }
            }
        } catch {
            // The pipe failing means the process is gone or going; what was read is all there is.
        }
        if let last = splitter.finish() { handle(last) }
    }
}

extension FFmpegRunner where C == ContinuousClock {
    public init(
        tools: MediaTools = MediaTools(), stallTimeout: Duration = .seconds(60),
        hardCap: Duration = .seconds(6 * 3600), killGrace: Duration = .seconds(1),
        logger: Logger = Logger(label: "spool.media.ffmpeg")
    ) {
        self.init(
            tools: tools, clock: ContinuousClock(), stallTimeout: stallTimeout, hardCap: hardCap, killGrace: killGrace,
            logger: logger)
    }
}

/// How an ffmpeg process ended: its exit code, or the signal that killed it.
public struct FFmpegExit: Sendable, Equatable {
    public var code: Int32?
    public var signal: Int32?
}
