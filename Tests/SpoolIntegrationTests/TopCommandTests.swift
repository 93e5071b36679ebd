import Foundation
import SpoolAPIModels
import SpoolClient
import SpoolCore
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `spool top` in a real terminal (tmux), and piped.
@Suite(.serialized) struct TopCommandTests {
    let area: TestArea

    init() throws { area = try TestArea("top") }

    /// Runs a tmux command through `system` with its own descriptors and returns what it printed (through a file):
    /// the server tmux starts daemonizes, which Foundation's `Process` does not see the end of.
    func tmux(_ arguments: [String]) throws -> String {
        let output = area.root.appendingPathComponent("tmux.out").path
        let quoted = arguments.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(
            separator: " ")
        let status = system("tmux \(quoted) </dev/null >'\(output)' 2>&1")
        let printed = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        guard status == 0 else { throw TestFailure("tmux \(arguments.first ?? "") exited \(status): \(printed)") }
        return printed
    }

    @Test func topShowsRunningWorkInATerminalAndQuitsOnQ() async throws {
        defer { area.cleanUp() }
        let server = try SpoolServerProcess(
            dataDirectory: area.data, inputRoot: area.inputs, extraArguments: ["--cpu-slots", "1", "--no-deduplicate"])
        defer { server.stop() }
        try await server.start()
        // One job that stays running without taking a core from the tests beside this one: its ffmpeg is stopped
        // (SIGSTOP) once it runs, and let go at the end.
        let clip = area.inputs.appendingPathComponent("long.mp4")
        try await TestMedia.makeClip(at: clip, size: "320x180", seconds: 60)
        var request = JobRequest(
            input: "file://" + clip.path, outputs: [try OutputShorthand.parse("small=mp4,height=90")])
        request.segmenting = SegmentingRequest(mode: .off)
        let job = try await server.client.submit(request)
        _ = try await server.client.waitFor(job.id, until: { $0.state == .running })
        var stopped: [Int32] = []
        for _ in 0..<100 where stopped.isEmpty {
            stopped = TestMedia.processes(containing: area.data.path).filter { pid in
                (try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8))?.hasPrefix("ffmpeg") == true
                    || ((try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8)) ?? "").hasPrefix("ffmpeg")
            }
            if stopped.isEmpty { try await Task.sleep(for: .milliseconds(20)) }
        }
        for pid in stopped { kill(pid, SIGSTOP) }
        defer { for pid in stopped { kill(pid, SIGCONT) } }

        // Piped: one plain snapshot, no escape codes, and it exits by itself.
        // (Workers report what they run with their heartbeat: give the first one a moment.)
        var piped = try await CLI.run(["top", "--server", server.url.absoluteString])
        for _ in 0..<50 where !piped.stdout.contains(job.id.rawValue) {
            try await Task.sleep(for: .milliseconds(200))
            piped = try await CLI.run(["top", "--server", server.url.absoluteString])
        }
        #expect(piped.status == 0, "\(piped.stderr)")
        #expect(piped.stdout.contains("RUNNING") && piped.stdout.contains(job.id.rawValue), "\(piped.stdout)")
        #expect(!piped.stdout.contains("\u{1B}["))

        // In a terminal: it draws and refreshes until q.
        let session = "spool-top-\(getpid())"
        defer { _ = try? tmux(["kill-session", "-t", session]) }
        _ = try tmux([
            "new-session", "-d", "-s", session, "-x", "160", "-y", "40",
            "\(try SpoolBinary.url().path) top --server \(server.url.absoluteString) --interval 0.5",
        ])
        var screen = ""
        for _ in 0..<100 {
            screen = try tmux(["capture-pane", "-p", "-t", session])
            if screen.contains("RUNNING") && screen.contains("▕") { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(screen.contains("spool top"), "\(screen)")
        #expect(screen.contains("▕") && screen.contains(job.id.rawValue), "\(screen)")
        #expect(screen.contains("WORKERS") && screen.contains("wrk_cpu_"))
        let firstClock = screen.split(separator: "\n").first.map(String.init) ?? ""
        var refreshed = false
        for _ in 0..<40 {
            try await Task.sleep(for: .milliseconds(250))
            let again = try tmux(["capture-pane", "-p", "-t", session]).split(separator: "\n").first.map(String.init)
            if let again, again != firstClock {
                refreshed = true
                break
            }
        }
        #expect(refreshed, "the header never changed: \(firstClock)")
        _ = try tmux(["send-keys", "-t", session, "q"])
        var gone = false
        for _ in 0..<50 {
            try await Task.sleep(for: .milliseconds(100))
            if TestMedia.processes(containing: "top --server \(server.url.absoluteString)").isEmpty {
                gone = true
                break
            }
        }
        #expect(gone, "spool top did not quit on q")
        _ = try? await server.client.cancel(job.id)
    }
}
