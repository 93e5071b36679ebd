import Foundation
import SpoolCore
import Testing

@testable import SpoolMedia

@Suite("DeviceDiscovery on this host")
struct DeviceDiscoveryTests {
    static var hasNvidiaSMI: Bool {
        (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").contains {
            FileManager.default.isExecutableFile(atPath: "\($0)/nvidia-smi")
        }
    }

    @Test func findsTheDebianBuildsCapabilities() async throws {
        let inventory = try await DeviceDiscovery().discover()
        #expect(
            inventory.ffmpeg.ffmpegVersion.hasPrefix("5.") || inventory.ffmpeg.ffmpegVersion.first?.isNumber == true)
        #expect(inventory.ffmpeg.ffprobeVersion != "unknown")
        #expect(inventory.ffmpeg.encoders.isSuperset(of: ["libx264", "aac", "mjpeg"]))
        #expect(inventory.ffmpeg.decoders.contains("h264"))
        #expect(inventory.ffmpeg.filters.isSuperset(of: ["scale", "split", "fps", "ssim"]))
        #expect(inventory.cpuCores >= 1)
        #expect(!inventory.host.isEmpty)
        if !Self.hasNvidiaSMI { #expect(inventory.gpus.isEmpty) }
        if MediaPipelineTests.hasOpenCLDriver && inventory.ffmpeg.hwaccels.contains("opencl") {
            #expect(!inventory.opencl.isEmpty)
            #expect(
                EncodePathChooser.choose(pool: .opencl, inventory: inventory)
                    == .success(.opencl(deviceSelector: inventory.opencl[0].selector)))
        }
        #expect(EncodePathChooser.choose(pool: .cpu, inventory: inventory) == .success(.cpu))
    }

    @Test(.enabled(if: MediaPipelineTests.hasOpenCLDriver, "needs an OpenCL ICD such as pocl-opencl-icd"))
    func fallsBackToFFmpegsDeviceLogWithoutClinfo() async throws {
        let inventory = try await DeviceDiscovery(clinfo: "/nonexistent/clinfo").discover()
        #expect(!inventory.opencl.isEmpty)
    }

    @Test func failingOrMissingNvidiaSMIMeansNoGPUs() async throws {
        for tool in ["/bin/false", "/nonexistent/nvidia-smi"] {
            let inventory = try await DeviceDiscovery(nvidiaSMI: tool).discover()
            #expect(inventory.gpus.isEmpty, "\(tool)")
        }
    }

    @Test func missingFFmpegIsAMediaToolsError() async {
        do {
            _ = try await DeviceDiscovery(tools: MediaTools(ffmpeg: "ffmpeg-that-does-not-exist")).discover()
            Issue.record("discovery succeeded without ffmpeg")
        } catch let error as MediaToolsError {
            #expect(error.tool == "ffmpeg-that-does-not-exist")
            #expect(error.message.contains("not found on PATH"))
            #expect(error.message.contains("apt-get install ffmpeg"))
        } catch {
            Issue.record("expected MediaToolsError, got \(error)")
        }
    }

    @Test func aToolThatHangsEveryTimeIsTriedTwiceThenRefused() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hung-ffmpeg-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let runs = directory.appendingPathComponent("runs")
        let tool = directory.appendingPathComponent("ffmpeg")
        try "#!/bin/sh\necho run >> '\(runs.path)'\nexec sleep 30\n".write(to: tool, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: tool.path)

        do {
            _ = try await DeviceDiscovery(tools: MediaTools(ffmpeg: tool.path), timeout: .milliseconds(300)).discover()
            Issue.record("discovery accepted an ffmpeg that never answers")
        } catch let error as MediaToolsError {
            #expect(error.message.contains("hung"))
            #expect(error.message.contains("apt-get install ffmpeg"))
        }
        let attempts = try String(contentsOf: runs, encoding: .utf8).split(separator: "\n").count
        #expect(attempts == 2)
    }

    /// A fake nvidia-smi that prints a recorded output and exits with `status`.
    func fakeNvidiaSMI(printing fixture: String, status: Int32) throws -> (tool: String, directory: URL) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nvidia-smi-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let tool = directory.appendingPathComponent("nvidia-smi")
        try "#!/bin/sh\ncat '\(try Fixture.url(fixture).path)'\nexit \(status)\n".write(
            to: tool, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: tool.path)
        return (tool.path, directory)
    }

    /// nvidia-smi installed but broken is not "no GPUs": discovery says what ran and what it printed.
    @Test(arguments: [
        ("nvidia-smi/driver-failure.txt", Int32(9), "couldn't communicate with the NVIDIA driver"),
        ("nvidia-smi/unknown-field.txt", Int32(2), "is not a valid field to query"),
        ("nvidia-smi/short-rows.csv", Int32(0), "does not understand"),
    ])
    func aBrokenNvidiaSMIIsReportedWithWhatItPrinted(fixture: String, status: Int32, expected: String) async throws {
        let fake = try fakeNvidiaSMI(printing: fixture, status: status)
        defer { try? FileManager.default.removeItem(at: fake.directory) }
        let inventory = try await DeviceDiscovery(nvidiaSMI: fake.tool).discover()
        #expect(inventory.gpus.isEmpty)
        let problem = try #require(inventory.gpuDiscoveryProblem)
        #expect(problem.contains(expected), "\(problem)")
        #expect(problem.contains("--query-gpu="), "the command is named: \(problem)")
    }

    @Test func aWorkingNvidiaSMIIsNoProblem() async throws {
        let fake = try fakeNvidiaSMI(printing: "nvidia-smi/l4-2x.csv", status: 0)
        defer { try? FileManager.default.removeItem(at: fake.directory) }
        let inventory = try await DeviceDiscovery(nvidiaSMI: fake.tool).discover()
        #expect(inventory.gpus.count == 2 && inventory.gpuDiscoveryProblem == nil)
        let missing = try await DeviceDiscovery(nvidiaSMI: "/nonexistent/nvidia-smi").discover()
        #expect(missing.gpus.isEmpty && missing.gpuDiscoveryProblem == nil, "no nvidia-smi is no NVIDIA GPU, quietly")
    }
}
