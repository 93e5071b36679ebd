import ArgumentParser
import Foundation
import SpoolCore
import SpoolMedia

/// Shows the ffmpeg command a worker would run for a job, without running it: for debugging a job, and for
/// benchmarks that run the very same command outside Spool.
struct Plan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the ffmpeg command Spool would run for an input on a pool.",
        discussion: """
            Probes the input and this machine's devices, picks the hardware path for the pool, and prints the argv.

            Example:
              spool plan talk.mp4 --preset web-720p --pool cpu --staging /tmp/out
            """)

    @Argument(help: "A local video file.") var input: String
    @Option(help: "A named preset.") var preset: String?
    @Option(name: .customLong("output"), help: "An output, as NAME=KIND[,KEY=VALUE…].") var outputs: [String] = []
    @Option(help: "The pool kind: cpu, opencl, cuda or hybrid.") var pool: PoolKind = .cpu
    @Option(help: "Where the outputs would be written.") var staging = "./spool-plan"
    @Option(help: "ffmpeg threads per output (the cpu pool uses 1).") var threads: Int?
    @Flag(help: "Print JSON: {\"arguments\": […], \"outputs\": […]}.") var json = false

    func run() async throws {
        let specs: [OutputSpec]
        do {
            specs =
                try outputs.isEmpty
                ? (Presets.named(preset ?? "web-default")?.outputs ?? []) : outputs.map(Submit.parseOutput)
        } catch {
            throw ValidationError(error.message)
        }
        guard !specs.isEmpty else { throw ValidationError("no preset named '\(preset ?? "")'") }
        let path = URL(fileURLWithPath: input).standardizedFileURL.path
        let source: MediaInfo
        do {
            source = try await MediaProber().probe(path: path)
        } catch {
            Terminal.error("\(error.code.rawValue): \(error.message)")
            throw ExitCode(1)
        }
        let inventory = try await DeviceDiscovery().discover()
        let encodePath: EncodePath
        switch EncodePathChooser.choose(pool: pool, inventory: inventory) {
        case .success(let chosen): encodePath = chosen
        case .failure(let error):
            Terminal.error("\(error.code.rawValue): \(error.message)")
            throw ExitCode(1)
        }
        let command = TranscodeCommandBuilder.build(
            input: path, source: source, outputs: specs, path: encodePath,
            stagingDirectory: URL(fileURLWithPath: staging).standardizedFileURL.path,
            threadsPerOutput: threads ?? (pool == .cpu ? 1 : nil))
        if json {
            try Terminal.printJSON(
                PlanView(arguments: ["ffmpeg"] + command.arguments, outputs: command.outputs.map(\.primaryPath)))
        } else {
            print((["ffmpeg"] + command.arguments).map(ShellQuote.quote).joined(separator: " "))
        }
    }
}

struct PlanView: Encodable {
    var arguments: [String]
    var outputs: [String]
}

extension PoolKind: ExpressibleByArgument {}

enum ShellQuote {
    /// Quotes for display only; Spool itself never runs a shell.
    static func quote(_ argument: String) -> String {
        let safe = argument.allSatisfy { $0.isLetter || $0.isNumber || "-_./:=,+@%".contains($0) }
        return safe && !argument.isEmpty ? argument : "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
