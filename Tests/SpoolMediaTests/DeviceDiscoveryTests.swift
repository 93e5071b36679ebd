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
}
