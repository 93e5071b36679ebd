import Foundation
import Subprocess
import Synchronization

/// One `spool measure-ssim --serve` process, asked one measurement at a time: a request line on its standard input, a
/// reply line on its standard output. Kept between jobs, it pays the Swift runtime's start and the loading of FFmpeg's
/// libraries (about 70 of the 118 ms a one-shot child cost, bench/overhead) once rather than per job. It stays a
/// process of its own, so that a decoder fault on a damaged output ends the child, never the worker; it ends when
/// its standard input closes, so it never outlives the worker.
final class WindowSSIMChild: Sendable {
    enum Answer: Equatable, Sendable {
        case replied(String)
        /// The child ended (or never started) before it replied.
        case ended
        case timedOut
    }

    /// Where the one request in flight waits for its line, and whether the child is gone.
    private struct Exchange: ~Copyable {
        var ended = false
        var waiting: CheckedContinuation<String?, Never>?
    }

    private final class Shared: Sendable {
        let exchange = Mutex(Exchange())

        /// The reply to the request in flight, or nil to all that ask from now on: the child is gone.
        func deliver(_ line: String?) {
            let waiting = exchange.withLock { exchange in
                if line == nil { exchange.ended = true }
                defer { exchange.waiting = nil }
                return exchange.waiting
            }
            waiting?.resume(returning: line)
        }
    }

    private let shared = Shared()
    private let requests: AsyncStream<String>.Continuation
    private let runner: Task<Void, Never>

    /// Starts the child: `spool` is the binary that has `measure-ssim`.
    init(spool: String) {
        let (lines, requests) = AsyncStream.makeStream(of: String.self)
        self.requests = requests
        let shared = shared
        runner = Task { await Self.serve(spool: spool, requests: lines, shared: shared) }
    }

    var hasEnded: Bool { shared.exchange.withLock { $0.ended } }

    /// Sends one request line and waits for its reply line, at most `timeout`; a timeout ends the child (its process
    /// group is killed). One request at a time: whoever holds the child asks it.
    func ask(_ line: String, timeout: Duration, clock: any Clock<Duration>) async -> Answer {
        // The deadline is a task of its own, so that cancelling the measurement does not cancel it: a cancelled
        // measurement still takes the reply of a child that is answering (in milliseconds), but a child that never
        // answers is killed at the same deadline, cancelled or not, rather than holding the attempt forever.
        let deadline = Task { try await clock.sleep(for: timeout) }
        let first = await withTaskGroup(of: Answer.self) { group in
            group.addTask {
                let reply: String? = await withCheckedContinuation { continuation in
                    let ended = self.shared.exchange.withLock { exchange in
                        guard !exchange.ended else { return true }
                        precondition(exchange.waiting == nil, "a measuring child is asked one thing at a time")
                        exchange.waiting = continuation
                        return false
                    }
                    if ended {
                        continuation.resume(returning: nil)
                    } else if case .terminated = self.requests.yield(line) {
                        self.shared.deliver(nil)
                    }
                }
                return reply.map(Answer.replied) ?? .ended
            }
            group.addTask {
                // Awaiting a task's value ignores this task's cancellation; only `deadline.cancel()` ends it early.
                (try? await deadline.value) == nil ? .ended : .timedOut
            }
            let first = await group.next() ?? .ended
            deadline.cancel()
            if first == .timedOut {
                // Cancelling the runner tears the child down; the request's wait then ends with nil.
                runner.cancel()
            }
            for await _ in group {}
            return first
        }
        if first == .timedOut {
            // Killed and reaped before the caller goes on: no measuring child is left behind a timeout.
            await runner.value
        }
        return first
    }

    /// Closes the child's standard input: it ends after the request in flight, if any.
    func stop() { requests.finish() }

    private static func serve(spool: String, requests: AsyncStream<String>, shared: Shared) async {
        var options = PlatformOptions()
        options.processGroupID = 0
        options.teardownSequence = [.send(signal: .kill, toProcessGroup: true, allowedDurationToNextStep: .zero)]
        let configuration = Configuration(
            executable: MediaTools.executable(spool), arguments: ["measure-ssim", "--serve"], platformOptions: options)
        do {
            _ = try await Subprocess.run(configuration, input: .inputWriter, output: .sequence, error: .discarded) {
                execution in
                var replies = execution.standardOutput.strings().makeAsyncIterator()
                for await line in requests {
                    var reply: String?
                    do {
                        _ = try await execution.standardInputWriter.write(line + "\n")
                        reply = try await replies.next()
                    } catch {
                        reply = nil
                    }
                    shared.deliver(reply)
                    if reply == nil { break }
                }
                try? await execution.standardInputWriter.finish()
            }
        } catch {
            // Not started (no such binary, not executable) or torn down: the asker falls back to ffmpeg.
        }
        shared.deliver(nil)
    }
}
