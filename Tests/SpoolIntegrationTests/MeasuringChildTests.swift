import Foundation
import SpoolAPIModels
import SpoolClient
import SpoolCore
import Synchronization
import TestSupport
import Testing

@testable import SpoolMedia

#if canImport(Glibc)
    import Glibc
#endif

/// Workers keep their measuring children (`spool measure-ssim --serve`) between jobs: one child answers job after job
/// with the one-shot command's number, a child that died while idle is replaced, one that takes too long is killed,
/// and none outlives its worker, whether it is stopped or killed.
@Suite(.serialized) struct MeasuringChildTests {
    /// An H.264 output and the reference frames its transcode kept, as a worker's transcode writes them.
    static func outputWithReference(in folder: URL) async throws -> WindowSSIM.Request {
        let output = folder.appendingPathComponent("out.mp4").path
        let reference = folder.appendingPathComponent("ref.nut").path
        let made = try await ToolProcess.run(
            "ffmpeg",
            arguments: [
                "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=480x270:rate=25", "-t",
                "1", "-filter_complex",
                "[0:v:0]format=yuv420p,split=2[v0][t0];[t0]trim=start=0:duration=0.1,setpts=PTS-STARTPTS[r0]",
                "-map", "[v0]", "-c:v", "libx264", "-preset", "veryfast", "-crf", "35", output,
                "-map", "[r0]", "-c:v", "rawvideo", "-fps_mode", "passthrough", "-f", "nut", reference,
            ], timeout: .seconds(120), clock: ContinuousClock())
        try #require(made.succeeded, "\(made.stderrText)")
        return WindowSSIM.Request(output: output, reference: reference, width: 480, height: 270, window: 0.1)
    }

    /// Live processes whose parent is `parent` and whose command line is a measuring child's.
    static func measuringChildren(of parent: Int32) -> [Int32] {
        TestMedia.processes(containing: "measure-ssim").filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let afterName = stat.range(of: ") ")
            else { return false }
            return stat[afterName.upperBound...].split(separator: " ").dropFirst().first == "\(parent)"
        }
    }

    /// The built `spool` under a path of this test's own (a link in `folder`), so that the children a test's pool
    /// starts are told apart from the `spool measure-ssim` runs of other suites of this process running beside it.
    static func privateSpool(in folder: URL) throws -> String {
        let link = folder.appendingPathComponent("bin/spool")
        try FileManager.default.createDirectory(
            at: link.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: try SpoolBinary.url())
        return link.path
    }

    /// This process's measuring children started as `spool` (a `privateSpool`).
    static func measuringChildren(running spool: String) -> [Int32] {
        measuringChildren(of: getpid()).filter { pid in
            let command = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") ?? Data()
            return String(decoding: command, as: UTF8.self).hasPrefix(spool + "\u{0}measure-ssim")
        }
    }

    /// What each pool test starts from: a folder of its own with an output and its reference, a private `spool` link
    /// in it, and a pool. `close()` stops the pool's children and removes the folder.
    struct Fixture {
        let folder: URL
        let request: WindowSSIM.Request
        let spool: String
        let children = WindowSSIMChildren()

        init(_ name: String) async throws {
            let folder = try TestMedia.temporaryDirectory(name)
            do {
                request = try await MeasuringChildTests.outputWithReference(in: folder)
                spool = try MeasuringChildTests.privateSpool(in: folder)
            } catch {
                try? FileManager.default.removeItem(at: folder)
                throw error
            }
            self.folder = folder
        }

        func close() {
            children.stopAll()
            try? FileManager.default.removeItem(at: folder)
        }
    }

    /// Waits up to 10 s for `condition`.
    static func eventually(_ condition: () -> Bool) async throws -> Bool {
        for _ in 0..<200 {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return condition()
    }

    @Test func oneChildMeasuresJobAfterJobAndADeadOneIsReplaced() async throws {
        let fixture = try await Fixture("measuring-child")
        defer { fixture.close() }
        let (request, spool, children) = (fixture.request, fixture.spool, fixture.children)
        let oneShot = try await CLI.run([
            "measure-ssim", request.output, request.reference, "--size", "480x270", "--window", "0.1",
        ])
        #expect(oneShot.status == 0, "\(oneShot.stderr)")

        var values: [SSIMMeter.ChildMeasurement] = []
        for _ in 0..<3 {
            values.append(
                await children.measure(spool: spool, request: request, timeout: .seconds(60), clock: ContinuousClock()))
        }
        let printed = values.map { value -> String in
            guard case .measured(let value) = value else { return "not measured" }
            return WindowSSIM.summaryLine(value) + "\n"
        }
        #expect(printed == Array(repeating: oneShot.stdout, count: 3))
        // One child served all three, and waits for the next.
        let kept = Self.measuringChildren(running: spool)
        #expect(kept.count == 1)
        #expect(children.idleCount(spool: spool) == 1)

        // Killed while idle: the next measurement starts another child and still measures.
        let first = try #require(kept.first)
        kill(first, SIGKILL)
        #expect(try await Self.eventually { !Self.measuringChildren(running: spool).contains(first) })
        let afterKill = await children.measure(
            spool: spool, request: request, timeout: .seconds(60), clock: ContinuousClock())
        #expect(afterKill == values[0])
        let replacement = Self.measuringChildren(running: spool)
        #expect(replacement.count == 1 && replacement != kept, "\(replacement) after \(kept)")

        // A refusal is a reply: the child stays and ffmpeg is asked instead.
        var otherSize = request
        otherSize.width = 640
        #expect(
            await children.measure(spool: spool, request: otherSize, timeout: .seconds(60), clock: ContinuousClock())
                == .declined)
        #expect(Self.measuringChildren(running: spool) == replacement)

        // Stopped: its standard input closes and it ends.
        children.stopAll()
        #expect(try await Self.eventually { Self.measuringChildren(running: spool).isEmpty })
    }

    @Test func aChildThatTakesTooLongIsKilled() async throws {
        let fixture = try await Fixture("measuring-child-slow")
        defer { fixture.close() }
        let (request, spool, children) = (fixture.request, fixture.spool, fixture.children)
        // No time at all: the timer wins against a child that has not even started.
        let outcome = await children.measure(spool: spool, request: request, timeout: .zero, clock: ContinuousClock())
        #expect(outcome == .outOfTime)
        #expect(children.idleCount(spool: spool) == 0)
        // The child was killed and reaped before the measurement returned.
        #expect(Self.measuringChildren(running: spool).isEmpty)
    }

    /// A measurement called off (its job cancelled, its worker stopping) still takes the reply of a child that is
    /// answering, and leaves that child to the next job rather than discarding it.
    @Test func aCancelledMeasurementKeepsItsChild() async throws {
        let fixture = try await Fixture("measuring-child-cancelled")
        defer { fixture.close() }
        let (request, spool, children) = (fixture.request, fixture.spool, fixture.children)
        let warm = await children.measure(
            spool: spool, request: request, timeout: .seconds(60), clock: ContinuousClock())
        let measurement = Task {
            await children.measure(spool: spool, request: request, timeout: .seconds(60), clock: ContinuousClock())
        }
        measurement.cancel()
        #expect(await measurement.value == warm)
        #expect(children.idleCount(spool: spool) == 1)
        #expect(Self.measuringChildren(running: spool).count == 1)
    }

    /// A child that never answers is killed at the measurement's deadline even when the measurement was called off:
    /// cancelling must not turn the wait for its reply into a wait without end (a cancelled job's attempt, or a
    /// draining worker, would be held forever).
    @Test func aCancelledMeasurementStillEndsAtItsDeadline() async throws {
        let folder = try TestMedia.temporaryDirectory("measuring-child-silent")
        defer { try? FileManager.default.removeItem(at: folder) }
        // Stands in for `spool`: records its PID, then reads nothing and answers nothing.
        let silent = folder.appendingPathComponent("silent-spool")
        let pidFile = folder.appendingPathComponent("pid")
        try "#!/bin/sh\necho $$ > '\(pidFile.path)'\nexec sleep 600\n".write(
            to: silent, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: silent.path)
        let children = WindowSSIMChildren()
        defer { children.stopAll() }
        let request = WindowSSIM.Request(
            output: folder.appendingPathComponent("out.mp4").path,
            reference: folder.appendingPathComponent("ref.nut").path, width: 480, height: 270, window: 0.1)

        let outcome = Outcome()
        let measurement = Task {
            outcome.set(
                await children.measure(
                    spool: silent.path, request: request, timeout: .seconds(2), clock: ContinuousClock()))
        }
        let started = try await Self.eventually { FileManager.default.fileExists(atPath: pidFile.path) }
        try #require(started, "the stand-in child never started")
        measurement.cancel()
        // A wait without end must fail this test, not hang the test run: at most 10 s for a 2 s deadline.
        #expect(try await Self.eventually { outcome.value != nil }, "the cancelled measurement never returned")
        #expect(outcome.value == .outOfTime)
        #expect(children.idleCount(spool: silent.path) == 0)
        // Killed and reaped before the measurement returned.
        let text = try String(contentsOf: pidFile, encoding: .utf8)
        let pid = try #require(Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(kill(pid, 0) == -1 && errno == ESRCH, "the silent child \(pid) is still alive")
    }

    /// What a measurement running in a task of its own returned, once it returned.
    final class Outcome: Sendable {
        private let measured = Mutex<SSIMMeter.ChildMeasurement?>(nil)
        var value: SSIMMeter.ChildMeasurement? { measured.withLock { $0 } }
        func set(_ value: SSIMMeter.ChildMeasurement) { measured.withLock { $0 = value } }
    }

    /// A real worker (`spool serve`) measures its jobs' SSIM through one kept child, which ends with the worker:
    /// after SIGTERM, and after kill -9, since its standard input closes when the worker's end of the pipe does.
    @Test(arguments: [false, true])
    func theChildEndsWithItsWorker(killed: Bool) async throws {
        let area = try TestArea("measuring-child-worker")
        defer { area.cleanUp() }
        let server = try SpoolServerProcess(
            dataDirectory: area.data, inputRoot: area.inputs, extraArguments: ["--no-deduplicate"])
        defer { server.stop() }
        try await server.start()
        let clip = area.inputs.appendingPathComponent("clip.mp4")
        try await TestMedia.makeClip(at: clip, seconds: 2)
        for number in 0..<2 {
            let submitted = try await server.client.submit(
                JobRequest(
                    input: "file://" + clip.path,
                    outputs: [try OutputShorthand.parse("small\(number)=mp4,height=180,codec=h264")]))
            let job = try await server.client.waitFor(submitted.id)
            #expect(job.state == .succeeded, "\(job.error?.message ?? "")\n\(server.log())")
            #expect((job.outputs.first?.ssim ?? 0) > 0.5)
        }
        let child = Self.measuringChildren(of: server.pid)
        #expect(child.count == 1, "one kept child measured both jobs")
        if killed {
            server.crash()
        } else {
            #expect(await server.terminate() == 0)
        }
        #expect(
            try await Self.eventually { Set(TestMedia.processes(containing: "measure-ssim")).isDisjoint(with: child) },
            "the child outlived its worker")
    }
}
