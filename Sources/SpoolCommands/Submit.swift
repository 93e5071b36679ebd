import ArgumentParser
import Foundation
import SpoolClient
import SpoolCore

struct Submit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Submit a video for transcoding.",
        discussion: """
            A local file is uploaded first; a file://, http(s):// or upload: URI is passed to the server as is.
            Without --preset or --output the 'web-default' preset is used (720p and 360p MP4 plus thumbnails).

            Output syntax (repeat --output for several):
            \(OutputShorthand.help)

            Examples:
              spool submit talk.mp4 --wait
              spool submit talk.mp4 --preset hls-ladder --priority 80
              spool submit talk.mp4 --class realtime --acceleration nvenc
              spool submit file:///srv/in/talk.mp4 --output small=mp4,height=240 --output thumbs=thumbnails,every=1,height=90
            """)

    @Argument(help: "A local video file, or a file://, http(s):// or upload: URI.")
    var input: String

    @Option(help: "A named preset (see `spool presets`).")
    var preset: String?

    @Option(name: .customLong("output"), help: "An output, as NAME=KIND[,KEY=VALUE…] or a JSON object.")
    var outputs: [String] = []

    @Option(help: "0 (lowest) … 100 (highest).")
    var priority: Int?

    @Option(help: "Run on this pool only (see `spool pools`).")
    var pool: String?

    @Option(
        name: .customLong("class"),
        help: ArgumentHelp("Service class: realtime, standard (default) or batch.", valueName: "class"))
    var serviceClass: ServiceClass?

    @Option(
        help: ArgumentHelp(
            "Hardware: auto (default), nvenc (encode on NVENC), gpu (decode on NVDEC), cpu.", valueName: "kind"))
    var acceleration: Acceleration?

    @Option(
        help: ArgumentHelp(
            "Under overload, may the job move to another pool or be encoded with the faster encoder setting? "
                + "allow or forbid (default: allow for realtime and standard, forbid for batch). Its outputs never "
                + "change either way.", valueName: "allow|forbid"))
    var degradation: DegradationConsent?

    @Option(help: "Submitting twice with the same key returns the first job instead of making a second.")
    var idempotencyKey: String?

    @Option(
        help: ArgumentHelp(
            "Announce the job's end with a signed POST to this http(s) URL (check it with the secret from "
                + "GET /v1/webhooks/secret).", valueName: "url"))
    var callbackURL: String?

    @Option(
        help: ArgumentHelp(
            "Days the finished job, its outputs and its upload are kept (else the tenant's or the server's window).",
            valueName: "days"))
    var retainDays: Double?

    @Option(
        help: ArgumentHelp(
            "Split a long input into segments that workers encode in parallel: auto (inputs over 120 s), on, off.",
            valueName: "mode"))
    var segmenting: SegmentingRequest.Mode?

    @Option(help: ArgumentHelp("The length segments aim at, 2…3600 (default 30).", valueName: "seconds"))
    var segmentSeconds: Int?

    @Option(name: .customLong("meta"), help: "Metadata to keep with the job, as KEY=VALUE.")
    var metadata: [String] = []

    @Flag(help: "Wait for the job to finish, showing progress.")
    var wait = false

    @Flag(help: "Print the job as JSON.")
    var json = false

    @OptionGroup var options: ClientOptions

    func validate() throws {
        if preset != nil && !outputs.isEmpty { throw ValidationError("give --preset or --output, not both") }
    }

    func run() async throws {
        let client = try options.client
        var request = JobRequest(
            priority: priority, pool: pool, idempotencyKey: idempotencyKey, serviceClass: serviceClass,
            acceleration: acceleration, callbackURL: callbackURL, degradation: degradation, retainDays: retainDays)
        do {
            request.outputs = try outputs.isEmpty ? nil : outputs.map(Self.parseOutput)
        } catch {
            throw ValidationError(error.message)
        }
        request.preset = request.outputs == nil ? (preset ?? "web-default") : nil
        if segmenting != nil || segmentSeconds != nil {
            request.segmenting = SegmentingRequest(
                mode: segmenting ?? .auto, seconds: segmentSeconds ?? SegmentingRequest.defaultSeconds)
        }
        if !metadata.isEmpty {
            var map: [String: String] = [:]
            for pair in metadata {
                let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { throw ValidationError("--meta takes KEY=VALUE, got '\(pair)'") }
                map[parts[0]] = parts[1]
            }
            request.metadata = map
        }
        let job = try await reportingErrors {
            request.input = try await resolveInput(client)
            return try await client.submit(request)
        }
        if !wait {
            if json { try Terminal.printJSON(job) } else { print(job.id.rawValue) }
            return
        }
        if !json { Terminal.error("submitted \(job.id.rawValue); waiting (Ctrl-C stops waiting, not the job)") }
        let final = try await reportingErrors { try await JobWatcher(client: client, showBar: !json).wait(for: job.id) }
        if json {
            try Terminal.printJSON(final)
        } else {
            JobPrinter.printSummary(final)
        }
        if final.state != .succeeded { throw ExitCode(1) }
    }

    static func parseOutput(_ text: String) throws(SpecError) -> OutputSpec {
        if text.hasPrefix("{") {
            do {
                return try JSONDecoder().decode(OutputSpec.self, from: Data(text.utf8))
            } catch {
                throw SpecError(field: "--output", rule: "json", message: "not a valid output object: \(error)")
            }
        }
        return try OutputShorthand.parse(text)
    }

    func resolveInput(_ client: SpoolClient) async throws -> String {
        if input.hasPrefix("file://") || input.hasPrefix("http://") || input.hasPrefix("https://")
            || input.hasPrefix("upload:")
        {
            return input
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: input, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw ValidationError(
                "'\(input)' is not a file here; give a video file or a file://, http(s):// or upload: URI")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: input)[.size] as? Int64) ?? 0
        if !json { Terminal.error("uploading \(input) (\(ByteCount.format(size)))…") }
        let upload = try await client.upload(file: URL(fileURLWithPath: input))
        return upload.uri
    }
}

enum ByteCount {
    static func format(_ bytes: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
    }
}

extension ServiceClass: ExpressibleByArgument {}
extension Acceleration: ExpressibleByArgument {}
extension DegradationConsent: ExpressibleByArgument {}
extension SegmentingRequest.Mode: ExpressibleByArgument {}
