import Foundation
import Subprocess

/// What a short-lived tool (ffprobe, `ffmpeg -encoders`, nvidia-smi, clinfo) printed and how it ended.
struct ToolOutput: Sendable {
    var status: TerminationStatus
    var stdout: Data
    var stderr: Data

    var succeeded: Bool { status.isSuccess }
    var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    var stderrText: String { String(decoding: stderr, as: UTF8.self) }

    /// The last non-empty stderr line: where ffmpeg and ffprobe put the reason they gave up.
    var lastStderrLine: String? {
        stderrText.split(whereSeparator: \.isNewline).last { !$0.allSatisfy(\.isWhitespace) }.map(String.init)
    }
}

enum ToolProcessError: Error, Sendable, Equatable {
    case notFound
    case timedOut
    case cancelled
    case launchFailed(String)
}

/// Runs a tool to completion with a wall-clock limit. Each run gets its own process group so that a timeout kills
/// anything the tool started, not only the tool itself.
enum ToolProcess {
    /// Output beyond this is read and dropped so a chatty tool can neither block on a full pipe nor exhaust memory.
    static let defaultOutputLimit = 16 * 1024 * 1024

    static func run(
        _ tool: String, arguments: [String], timeout: Duration, clock: any Clock<Duration>,
        outputLimit: Int = defaultOutputLimit
    ) async throws(ToolProcessError) -> ToolOutput {
        var options = PlatformOptions()
        options.processGroupID = 0
        options.teardownSequence = [.send(signal: .kill, toProcessGroup: true, allowedDurationToNextStep: .zero)]
        let configuration = Configuration(
            executable: MediaTools.executable(tool), arguments: Arguments(arguments), platformOptions: options)

        enum Race: Sendable {
            case finished(ToolOutput)
            case failed(ToolProcessError)
            case timedOut
            case timerStopped
        }
        let outcome = await withTaskGroup(of: Race.self) { group in
            group.addTask {
                do {
                    let result = try await Subprocess.run(
                        configuration, input: .none, output: .sequence, error: .sequence
                    ) { execution in
                        async let out = drain(execution.standardOutput, limit: outputLimit)
                        async let err = drain(execution.standardError, limit: outputLimit)
                        return await (out, err)
                    }
                    let (out, err) = result.closureResult
                    return .finished(ToolOutput(status: result.terminationStatus, stdout: out, stderr: err))
                } catch let error as SubprocessError where error.code == .executableNotFound {
                    return .failed(.notFound)
                } catch is CancellationError {
                    return .failed(.cancelled)
                } catch {
                    return .failed(.launchFailed(String(describing: error)))
                }
            }
            group.addTask {
                do {
                    try await clock.sleep(for: timeout)
                    return .timedOut
                } catch {
                    return .timerStopped
                }
            }
            // Whichever ends first decides; cancelling the other tears the process down (or stops the timer), and
            // the group waits for it, so the process is reaped before this returns.
            let first = await group.next() ?? .timerStopped
            group.cancelAll()
            for await _ in group {}
            return first
        }
        switch outcome {
        case .finished(let output):
            if Task.isCancelled, !output.succeeded { throw .cancelled }
            return output
        case .failed(let error): throw error
        case .timedOut: throw .timedOut
        case .timerStopped: throw .cancelled
        }
    }

    private static func drain(_ sequence: SubprocessOutputSequence, limit: Int) async -> Data {
        var data = Data()
        do {
            for try await buffer in sequence {
                let room = limit - data.count
                guard room > 0 else { continue }
                buffer.withUnsafeBytes { raw in data.append(contentsOf: raw.prefix(room)) }
            }
        } catch {
            // A read error after the process died still leaves what was read so far, which is what callers report.
        }
        return data
    }
}
