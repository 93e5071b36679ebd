import Foundation
import Subprocess

/// Runs a command to its end for a test, without holding a thread while it runs.
///
/// Swift Testing runs every suite of the test process at once on the cooperative pool, which has one thread per core:
/// two on the CI machine. `Process.waitUntilExit` and `readDataToEndOfFile` block the thread they run on, so a test
/// that made a 12-second clip that way held half the pool, two such tests held all of it, and every other test's
/// request, Redis reply and timeout waited behind them until their deadlines passed. swift-subprocess waits for the
/// child on a thread of its own and reads its pipes without blocking.
public enum TestCommand {
    /// What the command printed and how it ended.
    public struct Outcome: Sendable {
        /// The exit status, or 128 plus the signal's number for a command a signal ended, as a shell reports it.
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// Output beyond this fails the run: no test reads that much.
    static let outputLimit = 64 << 20

    /// Runs `executable` (a path, or a name looked up on PATH) with `arguments`. `input`, when given, is written to
    /// its standard input, which is then closed; otherwise standard input is empty. `environment` adds to (or, with a
    /// nil value, removes from) the test process's own.
    public static func run(
        _ executable: String, _ arguments: [String], input: String? = nil, environment: [String: String?] = [:],
        workingDirectory: URL? = nil
    ) async throws -> Outcome {
        let configuration = Configuration(
            executable: executable.contains("/") ? .path(.init(executable)) : .name(executable),
            arguments: Arguments(arguments),
            environment: .inherit.updating(
                Dictionary(uniqueKeysWithValues: environment.map { (Environment.Key(stringLiteral: $0.key), $0.value) })
            ),
            workingDirectory: workingDirectory.map { .init($0.path) })
        let result =
            if let input {
                try await Subprocess.run(
                    configuration, input: .string(input), output: .string(limit: outputLimit),
                    error: .string(limit: outputLimit))
            } else {
                try await Subprocess.run(
                    configuration, input: .none, output: .string(limit: outputLimit),
                    error: .string(limit: outputLimit))
            }
        let status: Int32 =
            switch result.terminationStatus {
            case .exited(let code): code
            case .signaled(let signal): 128 + signal
            }
        return Outcome(status: status, stdout: result.standardOutput, stderr: result.standardError)
    }
}

extension Process {
    /// The exit status once the process has ended, waited for without holding a thread (see `TestCommand`): the
    /// process is looked at every 10 ms.
    public func exitStatus() async -> Int32 {
        while isRunning {
            do {
                try await Task.sleep(for: .milliseconds(10))
            } catch {
                // Cancelled: the wait can no longer sleep, and the caller still needs the status.
                waitUntilExit()
            }
        }
        return terminationStatus
    }
}
