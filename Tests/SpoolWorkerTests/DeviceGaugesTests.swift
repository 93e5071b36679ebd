import Foundation
import Prometheus
import SpoolCore
import SpoolMedia
import Testing

@testable import SpoolWorker

/// A worker described by recorded nvidia-smi output exports each GPU's readings, the sessions its jobs hold and
/// whether a GPU is fenced, in Prometheus's text format; CPU and OpenCL devices as the share of slots in use.
@Suite struct DeviceGaugesTests {
    static let noFFmpeg = FFmpegCapabilities(
        ffmpegVersion: "", ffprobeVersion: "", encoders: [], filters: [], hwaccels: [])

    static func fixture(_ name: String) throws -> String {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("SpoolMediaTests/Fixtures/nvidia-smi/\(name)")
        return try String(contentsOf: url, encoding: .utf8)
    }

    @Test func aWorkerWithTwoL4sExportsEveryGPUReading() throws {
        let gpus = try NvidiaSMI.parse(csv: try Self.fixture("l4-2x.csv"))
        let inventory = DeviceInventory(
            host: "gpu-1", cpuCores: 16, ffmpeg: Self.noFFmpeg,
            opencl: [OpenCLDevice(platformIndex: 0, deviceIndex: 0, platform: "PoCL", name: "cpu-haswell")], gpus: gpus)
        let worker = WorkerID(rawValue: "wrk_l4")
        let onGPU1 = JobPlacement(
            worker: worker, pool: "l4", gpu: 1, deviceModel: "NVIDIA L4",
            demand: ResourceDemand(gpuMemoryMiB: 1_500, encoderSessions: 2, decoderSessions: 1), score: 80,
            placedAt: Date(timeIntervalSince1970: 0), schedulerToken: 1, path: .nvenc)
        var onCPU = onGPU1
        onCPU.gpu = nil
        onCPU.path = .cpu
        let readings = DeviceGauges.readings(
            worker: worker, inventory: inventory, fenced: [0: "Xid 79"], placements: [onGPU1, onCPU], slots: 4)

        let registry = PrometheusCollectorRegistry()
        DeviceGauges.record(readings, factory: PrometheusMetricsFactory(registry: registry))
        let text = String(decoding: registry.emitToBuffer(), as: UTF8.self)
        func value(_ name: String, gpu: Int) -> Double? {
            let prefix = "\(name){worker=\"wrk_l4\",gpu=\"\(gpu)\",model=\"NVIDIA L4\"} "
            return text.split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap {
                Double($0.dropFirst(prefix.count))
            }
        }
        // l4-2x.csv, GPU 1: 6,155 of 23,034 MiB, 38 % busy, 57 °C, 44.1 of 72 W, encoder 61 %, decoder 23 %.
        #expect(value("spool_gpu_utilization_ratio", gpu: 1) == 0.38)
        #expect(value("spool_gpu_memory_used_bytes", gpu: 1) == Double(6_155 * 1_048_576))
        #expect(value("spool_gpu_memory_total_bytes", gpu: 1) == Double(23_034 * 1_048_576))
        #expect(value("spool_gpu_encoder_utilization_ratio", gpu: 1) == 0.61)
        #expect(value("spool_gpu_decoder_utilization_ratio", gpu: 1) == 0.23)
        #expect(value("spool_gpu_temperature_celsius", gpu: 1) == 57)
        #expect(value("spool_gpu_power_watts", gpu: 1) == 44.1)
        #expect(value("spool_gpu_power_limit_watts", gpu: 1) == 72)
        #expect(value("spool_gpu_encoder_engines", gpu: 1) == 2)
        // Sessions are what Spool's jobs hold there; GPU 0 is fenced and holds none.
        #expect(value("spool_gpu_encoder_sessions", gpu: 1) == 2)
        #expect(value("spool_gpu_decoder_sessions", gpu: 1) == 1)
        #expect(value("spool_gpu_encoder_sessions", gpu: 0) == 0)
        #expect(value("spool_gpu_fenced", gpu: 0) == 1)
        #expect(value("spool_gpu_fenced", gpu: 1) == 0)
        #expect(text.contains("spool_cpu_busy_ratio{worker=\"wrk_l4\",cores=\"16\"} 0.25"))
        #expect(text.contains("spool_opencl_busy_ratio{worker=\"wrk_l4\",device=\"0.0\",name=\"cpu-haswell\"} 0.0"))
        #expect(text.contains("# TYPE spool_gpu_utilization_ratio gauge"))
    }

    @Test func readingsNvidiaSMICouldNotTakeAreLeftOut() throws {
        let gpus = try NvidiaSMI.parse(csv: try Self.fixture("na-fields.csv"))
        let inventory = DeviceInventory(host: "h", cpuCores: 8, ffmpeg: Self.noFFmpeg, opencl: [], gpus: gpus)
        let readings = DeviceGauges.readings(
            worker: WorkerID(rawValue: "w"), inventory: inventory, fenced: [:], placements: [], slots: 1)
        for gpu in gpus where gpu.temperatureC == nil {
            #expect(
                !readings.contains { $0.name == "spool_gpu_temperature_celsius" && $0.labels[1].1 == "\(gpu.index)" })
        }
        #expect(gpus.contains { $0.temperatureC == nil || $0.powerDrawW == nil })
    }
}
