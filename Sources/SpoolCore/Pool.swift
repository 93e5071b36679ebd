/// A pool: workers of one kind that share a queue name.
public struct PoolDescriptor: Codable, Sendable, Equatable {
    public var name: String
    public var kind: PoolKind
    /// Why this host can serve the pool, or what it uses.
    public var summary: String

    public init(name: String, kind: PoolKind, summary: String) {
        self.name = name
        self.kind = kind
        self.summary = summary
    }
}

/// Decides which pools a host can serve from what discovery found.
public enum PoolPlanner {
    public static func pools(for inventory: DeviceInventory) -> [PoolDescriptor] {
        var pools: [PoolDescriptor] = []
        let cpuEncoders = EncodeCapability.cpuEncoders(inventory.ffmpeg)
        if !cpuEncoders.isEmpty {
            pools.append(
                PoolDescriptor(
                    name: "cpu", kind: .cpu,
                    summary: "\(cpuEncoders.joined(separator: ", ")) on \(inventory.cpuCores) cores"))
        }
        if let device = EncodeCapability.openCLDevice(inventory) {
            pools.append(
                PoolDescriptor(
                    name: "opencl", kind: .opencl,
                    summary: "OpenCL filters on \(device.name) (\(device.platform)), libx264 encode"))
        }
        if EncodeCapability.cudaReady(inventory) {
            let encoders = inventory.gpus.filter { EncodeCapability.hasNVENC($0.engines) }.count
            let summary =
                encoders == inventory.gpus.count
                ? "NVDEC + scale_cuda + NVENC on \(inventory.gpus.count) GPU(s)"
                : "NVDEC + scale_cuda on \(inventory.gpus.count) GPU(s), \(encoders) with NVENC; others encode on CPU"
            pools.append(PoolDescriptor(name: "cuda", kind: .cuda, summary: summary))
            if !cpuEncoders.isEmpty {
                pools.append(
                    PoolDescriptor(
                        name: "hybrid", kind: .hybrid, summary: "chooses GPU or CPU per job on \(inventory.host)"))
            }
        }
        return pools
    }
}
