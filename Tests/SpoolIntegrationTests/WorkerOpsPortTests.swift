import Foundation
import SpoolClient
import TestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// `spool worker --admin-port` answers probes and serves its metrics, its GPUs among them: here two L4s described by
/// a recorded nvidia-smi output (the one fake: this machine has no NVIDIA GPU).
@Suite(.serialized) struct WorkerOpsPortTests {
    let area: TestArea

    init() throws { area = try TestArea("ops") }

    @Test func aWorkerServesHealthReadyAndItsDeviceMetrics() async throws {
        defer { area.cleanUp() }
        let redis = try RedisServerProcess()
        defer { redis.stop() }
        try await redis.waitUntilReady()
        let bin = area.root.appendingPathComponent("fake-bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("SpoolMediaTests/Fixtures/nvidia-smi/l4-2x.csv")
        let tool = bin.appendingPathComponent("nvidia-smi")
        try "#!/bin/sh\ncat '\(fixture.path)'\n".write(to: tool, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: tool.path)
        let path = bin.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")

        let port = try FreePort.find()
        let worker = try SpoolProcess(
            "worker",
            arguments: [
                "worker", "--redis", redis.url, "--data", area.data.path, "--pool", "cpu", "--slots", "2",
                "--admin-port", "\(port)", "--admin-host", "127.0.0.1", "--input-root", area.inputs.path,
                "--shutdown-grace", "1",
            ], logDirectory: area.root, environment: ["PATH": path])
        defer { worker.kill9() }
        try await worker.waitForLog("spool worker wrk_")

        func get(_ route: String) async throws -> (Int, String) {
            let url = URL(string: "http://127.0.0.1:\(port)\(route)")!
            for _ in 0..<100 {
                if let (data, response) = try? await URLSession.shared.data(from: url),
                    let http = response as? HTTPURLResponse
                {
                    return (http.statusCode, String(decoding: data, as: UTF8.self))
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            throw TestFailure("\(route) never answered:\n\(worker.log())")
        }
        #expect(try await get("/health").0 == 200)
        var ready = try await get("/ready")
        for _ in 0..<100 where ready.0 != 200 {
            try await Task.sleep(for: .milliseconds(100))
            ready = try await get("/ready")
        }
        #expect(ready.0 == 200, "\(ready.1)")
        var metrics = ""
        for _ in 0..<100 {
            metrics = try await get("/metrics").1
            if metrics.contains("spool_gpu_memory_total_bytes") { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        for name in [
            "spool_gpu_utilization_ratio", "spool_gpu_memory_used_bytes", "spool_gpu_memory_total_bytes",
            "spool_gpu_encoder_utilization_ratio", "spool_gpu_decoder_utilization_ratio",
            "spool_gpu_encoder_sessions", "spool_gpu_decoder_sessions", "spool_gpu_temperature_celsius",
            "spool_gpu_power_watts", "spool_gpu_fenced", "spool_cpu_busy_ratio",
        ] {
            #expect(metrics.contains("\n\(name){"), "\(name) missing from /metrics")
        }
        #expect(metrics.contains("model=\"NVIDIA L4\""))
        #expect(metrics.contains("spool_gpu_temperature_celsius{") && metrics.contains("} 57"), "\(metrics)")
    }
}
