import ArgumentParser
import Foundation
import SpoolAPIModels
import SpoolClient
import SpoolCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

struct Top: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Watch the system: running jobs with progress bars, queue depth per pool and class, workers, GPUs.",
        discussion: """
            Refreshes every second on a terminal; q (or Ctrl-C) quits. Piped or with --once, it prints one plain \
            snapshot and exits, for scripts and logs.
            """)

    @Option(help: "Seconds between refreshes.") var interval: Double = 1
    @Flag(help: "Print one snapshot and exit (what it does when stdout is not a terminal).") var once = false
    @OptionGroup var options: ClientOptions

    func validate() throws {
        guard interval >= 0.2, interval <= 3600 else { throw ValidationError("--interval takes 0.2…3600 seconds") }
    }

    func run() async throws {
        let client = try options.client
        guard Terminal.isInteractive, !once else {
            let snapshot = try await reportingErrors { try await Self.snapshot(client) }
            print(TopScreen(width: 120).render(snapshot).joined(separator: "\n"))
            return
        }
        let keyboard = RawKeyboard()
        defer { keyboard.restore() }
        // Leave the screen as it was: the alternate screen, cursor hidden while drawing.
        Self.write("\u{1B}[?1049h\u{1B}[?25l")
        defer { Self.write("\u{1B}[?25h\u{1B}[?1049l") }
        while !keyboard.quit {
            let frame: [String]
            do {
                frame = TopScreen(width: Self.columns()).render(try await Self.snapshot(client))
            } catch {
                frame = ["spool top: \(error)", "", "(retrying; q quits)"]
            }
            Self.write("\u{1B}[H\u{1B}[2J" + frame.joined(separator: "\r\n") + "\r\n")
            var waited = 0.0
            while waited < interval, !keyboard.quit {
                try? await Task.sleep(for: .milliseconds(100))
                waited += 0.1
            }
        }
    }

    /// One poll. What runs is read from the workers (each lists its jobs), so the tasks of segmented jobs, which
    /// job lists leave out, show as the work they are.
    static func snapshot(_ client: SpoolClient) async throws -> TopScreen.Snapshot {
        async let queued = client.jobs(state: .queued, limit: 500)
        async let pools = client.pools()
        let workers = try await client.workers()
        let running = await withTaskGroup(of: JobView?.self) { group in
            for id in workers.flatMap(\.running) { group.addTask { try? await client.job(id) } }
            var found: [JobView] = []
            for await job in group { if let job, job.state == .running { found.append(job) } }
            return found.sorted {
                ($0.startedAt ?? $0.createdAt, $0.id.rawValue) < ($1.startedAt ?? $1.createdAt, $1.id.rawValue)
            }
        }
        let queuedPage = try await queued
        return TopScreen.Snapshot(
            takenAt: Date(), running: running, queued: queuedPage.jobs, queuedIsPartial: queuedPage.nextCursor != nil,
            pools: try await pools, workers: workers)
    }

    static func write(_ text: String) { FileHandle.standardOutput.write(Data(text.utf8)) }

    static func columns() -> Int {
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 20 else { return 100 }
        return Int(size.ws_col)
    }
}

/// The terminal in raw mode while `spool top` runs, so one key quits without Enter; a thread reads the keys.
final class RawKeyboard: Sendable {
    private let saved: termios?
    private let quitFlag = Atomic<Bool>(false)

    var quit: Bool { quitFlag.load(ordering: .relaxed) }

    init() {
        var original = termios()
        if isatty(STDIN_FILENO) == 1, tcgetattr(STDIN_FILENO, &original) == 0 {
            saved = original
            var raw = original
            // No ISIG: Ctrl-C arrives as a key and quits the same way, so the terminal is always restored.
            raw.c_lflag &= ~tcflag_t(ICANON | ECHO | ISIG)
            tcsetattr(STDIN_FILENO, TCSANOW, &raw)
        } else {
            saved = nil
        }
        Thread.detachNewThread { [self] in
            var byte: UInt8 = 0
            while read(STDIN_FILENO, &byte, 1) == 1 {
                // q, Q and Ctrl-C quit.
                if byte == UInt8(ascii: "q") || byte == UInt8(ascii: "Q") || byte == 3 {
                    quitFlag.store(true, ordering: .relaxed)
                    return
                }
            }
        }
    }

    func restore() {
        guard var saved else { return }
        tcsetattr(STDIN_FILENO, TCSANOW, &saved)
    }
}
