import Foundation
import SpoolCore
import SpoolScheduling

/// A modelled fleet for the benchmark: workers of two L4s, one T4, or two H200s (decode only), in a fixed rotation,
/// with the figures nvidia-smi reports at rest; and a fixed mix of jobs.
enum BenchFleet {
    static func gpu(_ index: Int, _ model: String, memoryMiB: Int, powerLimit: Double) -> GPUDevice {
        GPUDevice(
            index: index, uuid: "GPU-\(model)-\(index)", name: model, memoryTotalMiB: memoryMiB, memoryUsedMiB: 1,
            utilizationPercent: Double(index * 7 % 40), temperatureC: 35 + Double(index * 3 % 20), powerDrawW: 30,
            powerLimitW: powerLimit, engines: GPUModelCatalog.engines(forModel: model))
    }

    static func workers(_ count: Int, now: Date) -> [WorkerRecord] {
        let ffmpeg = FFmpegCapabilities(
            ffmpegVersion: "5.1", ffprobeVersion: "5.1", encoders: ["libx264", "h264_nvenc"], filters: ["scale_cuda"],
            hwaccels: ["cuda"])
        return (0..<count).map { n in
            let gpus: [GPUDevice]
            let slots: Int
            switch n % 4 {
            case 0, 2:
                gpus = [
                    gpu(0, "NVIDIA L4", memoryMiB: 23034, powerLimit: 72),
                    gpu(1, "NVIDIA L4", memoryMiB: 23034, powerLimit: 72),
                ]
                slots = 16
            case 1:
                gpus = [gpu(0, "Tesla T4", memoryMiB: 15360, powerLimit: 70)]
                slots = 8
            default:
                gpus = [
                    gpu(0, "NVIDIA H200", memoryMiB: 143_771, powerLimit: 700),
                    gpu(1, "NVIDIA H200", memoryMiB: 143_771, powerLimit: 700),
                ]
                slots = 24
            }
            let id = "w\(n)"
            return WorkerRecord(
                id: WorkerID(rawValue: id), pool: "cuda", poolKind: .cuda, host: id, pid: 1, slots: slots,
                devices: DeviceInventory(host: id, cpuCores: 16, ffmpeg: ffmpeg, opencl: [], gpus: gpus),
                startedAt: now, heartbeatAt: now)
        }
    }

    static let presets: [(preset: String, acceleration: Acceleration)] = [
        ("web-720p", .auto), ("web-1080p", .nvenc), ("hls-ladder", .auto), ("web-360p", .gpu), ("hevc-1080p", .auto),
        ("web-720p", .nvenc), ("web-default", .auto), ("web-1080p", .gpu),
    ]

    static func spec(_ n: Int) -> JobSpec {
        let kind = presets[n % presets.count]
        return JobSpec(
            serviceClass: n % 10 == 0 ? .realtime : (n % 3 == 0 ? .batch : .standard),
            input: .file(path: "/srv/in/clip\(n % 97).mp4"), outputs: Presets.named(kind.preset)!.outputs,
            priority: 30 + n % 50, preset: kind.preset, acceleration: kind.acceleration)
    }

    static func queued(_ n: Int, now: Date) -> QueuedJob {
        QueuedJob(Job(id: JobID(rawValue: "job_\(n)"), spec: spec(n), now: now), version: 0)
    }
}

/// Latency percentiles of cycle times, in microseconds.
struct Latencies {
    var samples: [Double] = []

    mutating func record(_ duration: Duration) {
        samples.append(Double(duration.components.seconds) * 1e6 + Double(duration.components.attoseconds) / 1e12)
    }

    func percentile(_ p: Double) -> Double {
        guard !samples.isEmpty else { return 0 }
        let sorted = samples.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
    }
}

extension Duration {
    var secondsDouble: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// One JSON line on stdout, the driver's input.
func emit(_ fields: [String: Any]) {
    let data = try! JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
}
