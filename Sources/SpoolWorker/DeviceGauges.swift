import Metrics
import SpoolCore

/// A worker's devices as Prometheus gauges, from the readings every heartbeat already takes (nvidia-smi for GPUs)
/// and the placements of the jobs it runs: GPU utilisation, memory, encoder and decoder utilisation and the
/// sessions Spool's jobs hold, temperature, power and fencing; CPU and OpenCL devices as the share of their slots in
/// use. `readings` decides (pure); `record` writes them.
public enum DeviceGauges {
    public struct Reading: Equatable, Sendable {
        public var name: String
        public var labels: [(String, String)]
        public var value: Double

        public static func == (a: Reading, b: Reading) -> Bool {
            a.name == b.name && a.value == b.value && a.labels.elementsEqual(b.labels, by: ==)
        }
    }

    /// Every gauge for one heartbeat. Fields nvidia-smi could not read (`[N/A]`) are left out rather than shown as 0.
    public static func readings(
        worker: WorkerID, inventory: DeviceInventory, fenced: [Int: String], placements: [JobPlacement], slots: Int
    ) -> [Reading] {
        var readings: [Reading] = []
        for gpu in inventory.gpus {
            let labels = [("worker", worker.rawValue), ("gpu", "\(gpu.index)"), ("model", gpu.name)]
            func add(_ name: String, _ value: Double?) {
                if let value { readings.append(Reading(name: name, labels: labels, value: value)) }
            }
            let held = placements.filter { $0.gpu == gpu.index }
            add("spool_gpu_utilization_ratio", gpu.utilizationPercent.map { $0 / 100 })
            add("spool_gpu_memory_used_bytes", Double(gpu.memoryUsedMiB) * 1_048_576)
            add("spool_gpu_memory_total_bytes", Double(gpu.memoryTotalMiB) * 1_048_576)
            add("spool_gpu_encoder_utilization_ratio", gpu.encoderUtilizationPercent.map { $0 / 100 })
            add("spool_gpu_decoder_utilization_ratio", gpu.decoderUtilizationPercent.map { $0 / 100 })
            add("spool_gpu_encoder_sessions", Double(held.reduce(0) { $0 + $1.demand.encoderSessions }))
            add("spool_gpu_decoder_sessions", Double(held.reduce(0) { $0 + $1.demand.decoderSessions }))
            add("spool_gpu_encoder_engines", Double(gpu.engines.nvenc))
            add("spool_gpu_temperature_celsius", gpu.temperatureC)
            add("spool_gpu_power_watts", gpu.powerDrawW)
            add("spool_gpu_power_limit_watts", gpu.powerLimitW)
            add("spool_gpu_fenced", fenced[gpu.index] == nil ? 0 : 1)
        }
        // Host devices: the share of the worker's slots their jobs take (a CPU has no utilisation reading here that
        // would be the job's own rather than the host's).
        let busy = { (path: PlacementPath) in Double(placements.filter { $0.gpu == nil && $0.path == path }.count) }
        let share = { (count: Double) in slots > 0 ? count / Double(slots) : 0 }
        readings.append(
            Reading(
                name: "spool_cpu_busy_ratio",
                labels: [("worker", worker.rawValue), ("cores", "\(inventory.cpuCores)")],
                value: share(busy(.cpu))))
        for device in inventory.opencl {
            readings.append(
                Reading(
                    name: "spool_opencl_busy_ratio",
                    labels: [
                        ("worker", worker.rawValue), ("device", "\(device.platformIndex).\(device.deviceIndex)"),
                        ("name", device.name),
                    ], value: share(busy(.opencl))))
        }
        return readings
    }

    /// Writes the readings through swift-metrics (the process's Prometheus registry unless `factory` says otherwise).
    public static func record(_ readings: [Reading], factory: any MetricsFactory = MetricsSystem.factory) {
        for reading in readings {
            Gauge(label: reading.name, dimensions: reading.labels, factory: factory).record(reading.value)
        }
    }
}
