import Foundation
import Logging
import SpoolCore

/// Finds out what this host can do, the way Jellyfin's EncoderValidator does at startup: ask the tools, never
/// assume. Run once when a worker starts.
public struct DeviceDiscovery: Sendable {
    public var tools: MediaTools
    public var nvidiaSMI: String
    public var clinfo: String
    /// Per tool invocation. Generous because discovery runs once, at start-up, often while the host is busy
    /// starting everything else; a tool that really hangs is still refused, only later.
    public var timeout: Duration
    public var logger: Logger
    let clock: any Clock<Duration>

    public init(
        tools: MediaTools = MediaTools(), nvidiaSMI: String = "nvidia-smi", timeout: Duration = .seconds(30),
        clinfo: String = "clinfo", logger: Logger = Logger(label: "spool.media.discovery"),
        clock: any Clock<Duration> = ContinuousClock()
    ) {
        self.tools = tools
        self.nvidiaSMI = nvidiaSMI
        self.timeout = timeout
        self.clinfo = clinfo
        self.logger = logger
        self.clock = clock
    }

    /// ffmpeg and ffprobe versions; ffmpeg's encoders, decoders, filters and hwaccels; CPU cores; OpenCL devices
    /// (`clinfo -l`, else ffmpeg's own device log); NVIDIA GPUs from nvidia-smi (none when it is absent or fails).
    ///
    /// - Throws: `MediaToolsError` only when ffmpeg or ffprobe is missing or does not run.
    public func discover() async throws -> DeviceInventory {
        let ffmpegVersion = try await requiredTool(tools.ffmpeg, ["-version"])
        let ffprobeVersion = try await requiredTool(tools.ffprobe, ["-version"])
        let encoders = try await requiredTool(tools.ffmpeg, ["-hide_banner", "-encoders"])
        let decoders = try await requiredTool(tools.ffmpeg, ["-hide_banner", "-decoders"])
        let filters = try await requiredTool(tools.ffmpeg, ["-hide_banner", "-filters"])
        let hwaccels = try await requiredTool(tools.ffmpeg, ["-hide_banner", "-hwaccels"])

        let capabilities = FFmpegCapabilities(
            ffmpegVersion: FFmpegCapabilityParser.version(fromVersionOutput: ffmpegVersion) ?? "unknown",
            ffprobeVersion: FFmpegCapabilityParser.version(fromVersionOutput: ffprobeVersion) ?? "unknown",
            encoders: FFmpegCapabilityParser.codecs(fromListing: encoders),
            decoders: FFmpegCapabilityParser.codecs(fromListing: decoders),
            filters: FFmpegCapabilityParser.filters(fromListing: filters),
            hwaccels: FFmpegCapabilityParser.hwaccels(fromListing: hwaccels))
        let opencl = capabilities.hwaccels.contains("opencl") ? await openCLDevices() : []
        let (gpus, gpuProblem) = await nvidiaGPUReport()
        if let gpuProblem {
            logger.error(
                "GPU discovery failed; no GPU pool can run until it works", metadata: ["problem": "\(gpuProblem)"])
        }
        let inventory = DeviceInventory(
            host: ProcessInfo.processInfo.hostName, cpuCores: ProcessInfo.processInfo.activeProcessorCount,
            ffmpeg: capabilities, opencl: opencl, gpus: gpus, gpuDiscoveryProblem: gpuProblem)
        logger.info(
            "discovered devices",
            metadata: [
                "ffmpeg": "\(capabilities.ffmpegVersion)", "cpu_cores": "\(inventory.cpuCores)",
                "opencl": "\(opencl.map(\.name))", "gpus": "\(gpus.map(\.name))",
            ])
        return inventory
    }

    /// Runs ffmpeg or ffprobe; its text (stdout, or stderr where it logs) must come back or discovery fails.
    /// A run that times out is tried once more before the tool is called unusable: on a starved host one slow
    /// start must not keep a worker from joining, while a tool that hangs every time still does.
    private func requiredTool(_ tool: String, _ arguments: [String]) async throws(MediaToolsError) -> String {
        let output: ToolOutput
        do {
            do {
                output = try await ToolProcess.run(tool, arguments: arguments, timeout: timeout, clock: clock)
            } catch .timedOut {
                logger.warning(
                    "a media tool timed out during discovery; trying once more",
                    metadata: ["tool": "\(tool)", "arguments": "\(arguments.joined(separator: " "))"])
                output = try await ToolProcess.run(tool, arguments: arguments, timeout: timeout, clock: clock)
            }
        } catch {
            switch error {
            case .notFound: throw MediaToolsError.notFound(tool)
            case .timedOut: throw MediaToolsError.unusable(tool, reason: "`\(arguments.joined(separator: " "))` hung")
            case .cancelled: throw MediaToolsError(tool: tool, message: "discovery was cancelled")
            case .launchFailed(let reason): throw MediaToolsError.unusable(tool, reason: reason)
            }
        }
        guard output.succeeded else {
            throw MediaToolsError.unusable(
                tool,
                reason: "`\(arguments.joined(separator: " "))` \(output.status.plainDescription): "
                    + (output.lastStderrLine ?? "no message"))
        }
        return output.stdoutText
    }

    private func openCLDevices() async -> [OpenCLDevice] {
        if let output = try? await ToolProcess.run(clinfo, arguments: ["-l"], timeout: timeout, clock: clock),
            output.succeeded
        {
            return OpenCLDeviceList.parse(clinfoList: output.stdoutText)
        }
        // Without clinfo, ffmpeg logs each candidate device while initialising one; a failure to pick one (several
        // match) still lists them all.
        let arguments = [
            "-hide_banner", "-nostdin", "-v", "verbose", "-init_hw_device", "opencl=ocl",
            "-f", "lavfi", "-i", "nullsrc=d=0.04", "-f", "null", "-",
        ]
        guard
            let output = try? await ToolProcess.run(tools.ffmpeg, arguments: arguments, timeout: timeout, clock: clock)
        else { return [] }
        return OpenCLDeviceList.parse(ffmpegVerboseLog: output.stderrText)
    }

    /// The GPUs as nvidia-smi sees them now (memory, utilisation, temperature, power); empty without NVIDIA GPUs.
    /// Workers call it on each registration so placement scores fresh figures.
    public func nvidiaGPUs() async -> [GPUDevice] {
        await nvidiaGPUReport().gpus
    }

    /// The GPUs, and why there are none although nvidia-smi is installed: a machine without it has no NVIDIA GPUs
    /// (quietly), but one whose nvidia-smi fails, hangs or prints what the parser does not understand (a renamed
    /// field, a driver error) has GPUs Spool cannot see, and says so with the command and what it printed.
    public func nvidiaGPUReport() async -> (gpus: [GPUDevice], problem: String?) {
        let command = ([nvidiaSMI] + NvidiaSMI.arguments).joined(separator: " ")
        let output: ToolOutput
        do {
            output = try await ToolProcess.run(
                nvidiaSMI, arguments: NvidiaSMI.arguments, timeout: timeout, clock: clock)
        } catch .notFound {
            logger.debug("no NVIDIA GPUs: nvidia-smi is not installed")
            return ([], nil)
        } catch {
            return ([], "`\(command)` did not run: \(error)")
        }
        guard output.succeeded else {
            let printed =
                [output.lastStderrLine, output.stdoutText.split(whereSeparator: \.isNewline).last.map(String.init)]
                .compactMap { $0 }.first { !$0.isEmpty } ?? "nothing"
            return ([], "`\(command)` \(output.status.plainDescription) and printed: \(printed.prefix(300))")
        }
        do {
            return (try NvidiaSMI.parse(csv: output.stdoutText), nil)
        } catch {
            return (
                [], "`\(command)` printed what Spool does not understand (\(error)): \(output.stdoutText.prefix(300))"
            )
        }
    }
}
