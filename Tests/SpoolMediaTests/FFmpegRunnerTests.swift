import Foundation
import SpoolCore
import TestSupport
import Testing

@testable import SpoolMedia

@Suite("FFmpegRunner with real ffmpeg")
struct FFmpegRunnerTests {
    static let progressFlags = ["-hide_banner", "-nostdin", "-nostats", "-progress", "pipe:1"]

    /// A command that blocks in open(2) on a FIFO nobody writes: alive, silent, and deaf to a single SIGTERM.
    func stuckCommand(_ scratch: borrowing MediaScratch) throws -> TranscodeCommand {
        let fifo = scratch.file("input.fifo")
        try #require(ProcessChecks.makeFIFO(fifo))
        return TranscodeCommand(arguments: Self.progressFlags + ["-i", fifo, "-f", "null", "-"], outputs: [])
    }

    func jobError(_ body: () async throws -> Void) async -> JobError? {
        do {
            try await body()
            return nil
        } catch let error as JobError {
            return error
        } catch {
            Issue.record("expected a JobError, got \(error)")
            return nil
        }
    }

    /// Runs `command` while a helper moves `clock` past every deadline anything sleeps on.
    func runAdvancing(
        _ command: TranscodeCommand, clock: ManualClock, stallTimeout: Duration, hardCap: Duration,
        pids: Recorder<Int32>
    ) async -> JobError? {
        let advancer = Task {
            while !Task.isCancelled {
                await clock.waitForSleeper()
                clock.advance(by: .seconds(61))
            }
        }
        defer { advancer.cancel() }
        let runner = FFmpegRunner(clock: clock, stallTimeout: stallTimeout, hardCap: hardCap, killGrace: .seconds(1))
        return await jobError {
            try await runner.run(command, sourceDurationSeconds: 10, onStart: { pids.append($0) }, onProgress: { _ in })
        }
    }

    /// Under --ffmpeg-memory-limit a frame too big for the limit ends the attempt as `resource_limit`, retried (it may
    /// pass on a worker that allows more); the same command under a generous limit runs.
    @Test func aMemoryLimitStopsAnEncodeThatNeedsMore() async throws {
        let command = TranscodeCommand(
            arguments: Self.progressFlags + [
                "-f", "lavfi", "-i", "testsrc2=size=3840x2160:rate=25", "-t", "1", "-c:v", "libx264",
                "-preset", "ultrafast", "-f", "null", "-",
            ],
            outputs: [])
        var runner = FFmpegRunner(clock: ContinuousClock())
        runner.memoryLimitBytes = 384 << 20
        let error = await jobError {
            try await runner.run(command, sourceDurationSeconds: 1, onStart: { _ in }, onProgress: { _ in })
        }
        #expect(error?.code == .resourceLimit, "\(String(describing: error))")
        #expect(error?.message.contains("384 MiB") == true)
        #expect(error?.isRetryable == true)
        #expect(error?.stderrTail?.isEmpty == false)
        runner.memoryLimitBytes = 4 << 30
        try await runner.run(command, sourceDurationSeconds: 1, onStart: { _ in }, onProgress: { _ in })
    }

    /// RLIMIT_AS makes allocations fail; it never sends SIGKILL, which comes from outside (an OOM killer, an operator).
    @Test func onlyWhatTheMemoryLimitCausesCountsAsTheLimit() {
        #expect(FFmpegRunner<ContinuousClock>.ranOutOfMemory(status: .signaled(SIGSEGV), stderrTail: []))
        #expect(FFmpegRunner<ContinuousClock>.ranOutOfMemory(status: .signaled(SIGABRT), stderrTail: []))
        #expect(
            FFmpegRunner<ContinuousClock>.ranOutOfMemory(status: .exited(1), stderrTail: ["x: Cannot allocate memory"]))
        #expect(!FFmpegRunner<ContinuousClock>.ranOutOfMemory(status: .signaled(SIGKILL), stderrTail: []))
        #expect(!FFmpegRunner<ContinuousClock>.ranOutOfMemory(status: .exited(1), stderrTail: ["Invalid data found"]))
    }

    @Test func cancellingStopsTheWholeProcessGroup() async throws {
        let command = TranscodeCommand(
            arguments: Self.progressFlags + [
                "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=25", "-t", "60",
                "-c:v", "libx264", "-preset", "medium", "-f", "null", "-",
            ],
            outputs: [])
        let (progress, progressSink) = AsyncStream.makeStream(of: TranscodeProgress.self)
        let pids = Recorder<Int32>()
        let task = Task {
            try await FFmpegRunner(clock: ContinuousClock(), killGrace: .milliseconds(500)).run(
                command, sourceDurationSeconds: 60, onStart: { pids.append($0) },
                onProgress: { progressSink.yield($0) })
        }
        var iterator = progress.makeAsyncIterator()
        let first = await iterator.next()
        #expect(first != nil)
        task.cancel()
        let result = await task.result
        guard case .failure(let error) = result else {
            Issue.record("a cancelled 60 s encode finished normally")
            return
        }
        #expect(error is CancellationError, "\(error)")
        let pid = try #require(pids.all.first)
        #expect(ProcessChecks.isGone(pid))
        #expect(ProcessChecks.groupIsGone(pid))
    }

    @Test func stallWatchdogFiresOnAClockTheTestControls() async throws {
        let scratch = try MediaScratch()
        let pids = Recorder<Int32>()
        let error = await runAdvancing(
            try stuckCommand(scratch), clock: ManualClock(), stallTimeout: .seconds(60), hardCap: .seconds(3600),
            pids: pids)
        #expect(error?.code == .stalled)
        #expect(error?.message.contains("no progress for 60 s") == true, "\(error?.message ?? "")")
        let pid = try #require(pids.all.first)
        #expect(ProcessChecks.isGone(pid) && ProcessChecks.groupIsGone(pid))
    }

    @Test func hardCapStopsALongRun() async throws {
        let scratch = try MediaScratch()
        let pids = Recorder<Int32>()
        let error = await runAdvancing(
            try stuckCommand(scratch), clock: ManualClock(), stallTimeout: .seconds(600), hardCap: .seconds(10),
            pids: pids)
        #expect(error?.code == .timeout)
        #expect(error?.message.contains("10 s cap") == true, "\(error?.message ?? "")")
        let pid = try #require(pids.all.first)
        #expect(ProcessChecks.isGone(pid))
    }

    @Test func stallWatchdogWithARealClock() async throws {
        let scratch = try MediaScratch()
        let command = try stuckCommand(scratch)
        let pids = Recorder<Int32>()
        let runner = FFmpegRunner(
            clock: ContinuousClock(), stallTimeout: .milliseconds(300), killGrace: .milliseconds(200))
        let error = await jobError {
            try await runner.run(command, sourceDurationSeconds: 1, onStart: { pids.append($0) }, onProgress: { _ in })
        }
        #expect(error?.code == .stalled)
        let pid = try #require(pids.all.first)
        #expect(ProcessChecks.isGone(pid))
    }

    @Test func nonZeroExitCarriesTheStderrTail() async throws {
        let scratch = try MediaScratch()
        let command = TranscodeCommand(
            arguments: Self.progressFlags + ["-i", scratch.file("missing.mp4"), "-f", "null", "-"], outputs: [])
        let error = await jobError {
            try await FFmpegRunner(clock: ContinuousClock()).run(
                command, sourceDurationSeconds: 1, onStart: { _ in }, onProgress: { _ in })
        }
        #expect(error?.code == .transcodeFailed)
        #expect(error?.message.contains("exited with code 1") == true, "\(error?.message ?? "")")
        let tail = try #require(error?.stderrTail)
        #expect(tail.count <= 20)
        #expect(tail.last?.contains("No such file or directory") == true, "\(tail)")
    }

    @Test func missingFFmpegIsAnInternalError() async throws {
        let command = TranscodeCommand(arguments: ["-version"], outputs: [])
        let error = await jobError {
            try await FFmpegRunner(tools: MediaTools(ffmpeg: "/nonexistent/ffmpeg"), clock: ContinuousClock()).run(
                command, sourceDurationSeconds: 1, onStart: { _ in }, onProgress: { _ in })
        }
        #expect(error?.code == .internalError)
        #expect(error?.message.contains("not found") == true)
    }

    @Test func alreadyCancelledTaskNeverSpawns() async {
        let pids = Recorder<Int32>()
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await FFmpegRunner(clock: ContinuousClock()).run(
                TranscodeCommand(arguments: ["-version"], outputs: []), sourceDurationSeconds: 1,
                onStart: { pids.append($0) }, onProgress: { _ in })
        }
        let result = await task.result
        if case .failure(let error) = result {
            #expect(error is CancellationError)
        } else {
            Issue.record("a cancelled task ran ffmpeg")
        }
        #expect(pids.all.isEmpty)
    }
}
