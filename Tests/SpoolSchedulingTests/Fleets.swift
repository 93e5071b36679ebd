import Foundation
import GPUMemoryLedger
import SpoolCore
import SpoolMedia
import SpoolScheduling

/// Fleets built from nvidia-smi output recorded on real hosts (the media tests' fixtures).
enum Fleets {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("SpoolMediaTests/Fixtures/nvidia-smi")

    static func gpus(_ file: String, first count: Int? = nil) throws -> [GPUDevice] {
        let csv = try String(contentsOf: fixtures.appendingPathComponent(file), encoding: .utf8)
        let all = try NvidiaSMI.parse(csv: csv)
        return count.map { Array(all.prefix($0)) } ?? all
    }

    static func record(
        _ id: String, pool: String, kind: PoolKind, gpus: [GPUDevice], slots: Int, cores: Int = 16
    ) -> WorkerRecord {
        let ffmpeg = FFmpegCapabilities(
            ffmpegVersion: "5.1", ffprobeVersion: "5.1", encoders: ["libx264", "h264_nvenc"], filters: ["scale_cuda"],
            hwaccels: ["cuda"])
        let inventory = DeviceInventory(host: id, cpuCores: cores, ffmpeg: ffmpeg, opencl: [], gpus: gpus)
        let epoch = Date(timeIntervalSince1970: 1_800_000_000)
        return WorkerRecord(
            id: WorkerID(rawValue: id), pool: pool, poolKind: kind, host: id, pid: 1, slots: slots,
            devices: inventory, startedAt: epoch, heartbeatAt: epoch)
    }

    /// 4 × L4, 8 × T4, 2 × H200 and 16 CPU nodes, as the issue describes.
    static func heterogeneous() throws -> [WorkerRecord] {
        var records: [WorkerRecord] = []
        let l4 = try gpus("l4-2x.csv")
        for n in 0..<2 { records.append(record("l4-\(n)", pool: "cuda", kind: .cuda, gpus: l4, slots: 24)) }
        let t4 = try gpus("t4.csv")
        for n in 0..<8 { records.append(record("t4-\(n)", pool: "cuda", kind: .cuda, gpus: t4, slots: 12)) }
        let h200 = try gpus("h200-hgx-8x.csv", first: 2)
        records.append(record("h200-0", pool: "cuda", kind: .cuda, gpus: h200, slots: 32))
        for n in 0..<16 { records.append(record("cpu-\(n)", pool: "cpu", kind: .cpu, gpus: [], slots: 4, cores: 8)) }
        return records
    }

    /// `count` workers of one or two mid-range GPUs each, for benchmarks and sampling tests.
    static func uniform(_ count: Int) throws -> [WorkerRecord] {
        let l4 = try gpus("l4-2x.csv")
        let t4 = try gpus("t4.csv")
        return (0..<count).map { n in
            n % 2 == 0
                ? record("w\(n)", pool: "cuda", kind: .cuda, gpus: l4, slots: 16)
                : record("w\(n)", pool: "cuda", kind: .cuda, gpus: t4, slots: 8)
        }
    }
}

func request(
    _ id: String, preset: String = "web-720p", acceleration: Acceleration = .auto, pool: String? = nil,
    serviceClass: ServiceClass = .standard
) -> PlacementRequest {
    let spec = JobSpec(
        serviceClass: serviceClass, input: .file(path: "/in/\(id).mp4"), outputs: Presets.named(preset)!.outputs,
        pool: pool, preset: preset, acceleration: acceleration)
    return PlacementRequest(job: Job(id: JobID(rawValue: id), spec: spec, now: Date(timeIntervalSince1970: 0)))
}

func gpuDevice(
    model: String, memoryMiB: Int = 23034, usedMiB: Int = 0, utilization: Double? = nil, temperature: Double? = nil,
    power: (Double, Double)? = nil, encoders: Int? = nil, fenced: String? = nil
) -> DeviceSnapshot {
    let engines = GPUModelCatalog.engines(forModel: model)
    let budget = VideoSessionBudget.default
    return DeviceSnapshot(
        kind: .gpu, gpuIndex: 0, model: model, engines: engines,
        performance: GPUModelCatalog.performance(forModel: model),
        memory: GPUMemoryLedger(capacityMiB: memoryMiB - usedMiB),
        encoderSessions: SessionCount(capacity: encoders ?? budget.encoderSessions(engines)),
        decoderSessions: SessionCount(capacity: budget.decoderSessions(engines)), utilization: utilization,
        temperatureC: temperature, powerDrawW: power?.0, powerLimitW: power?.1, fencedReason: fenced)
}

func worker(_ id: String, pool: String = "cuda", slots: Int = 8, assigned: Int = 0, _ devices: DeviceSnapshot...)
    -> WorkerSnapshot
{
    WorkerSnapshot(
        id: WorkerID(rawValue: id), pool: pool, poolKind: .cuda, slots: slots, assigned: assigned, devices: devices)
}
