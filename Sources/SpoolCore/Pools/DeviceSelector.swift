/// Which GPUs a pool's workers use. Empty matches every device; each set field narrows it.
public struct DeviceSelector: Codable, Sendable, Equatable {
    /// GPU model names the pool takes, matched as case-insensitive substrings ("L4" matches "NVIDIA L4").
    public var models: [String]
    /// Devices with less memory are left out.
    public var minMemoryMiB: Int?
    /// Only devices with an NVENC engine, for pools that must encode on the GPU.
    public var requiresEncoder: Bool

    public init(models: [String] = [], minMemoryMiB: Int? = nil, requiresEncoder: Bool = false) {
        self.models = models
        self.minMemoryMiB = minMemoryMiB
        self.requiresEncoder = requiresEncoder
    }

    public var isEmpty: Bool { models.isEmpty && minMemoryMiB == nil && !requiresEncoder }

    public func matches(_ gpu: GPUDevice) -> Bool {
        if !models.isEmpty, !models.contains(where: { gpu.name.localizedCaseInsensitiveContains($0) }) { return false }
        if let minMemoryMiB, gpu.memoryTotalMiB < minMemoryMiB { return false }
        if requiresEncoder, !gpu.engines.canEncode { return false }
        return true
    }

    /// The inventory a worker of the pool sees: its host's devices less those the selector leaves out.
    public func narrow(_ inventory: DeviceInventory) -> DeviceInventory {
        guard !isEmpty else { return inventory }
        var narrowed = inventory
        narrowed.gpus = inventory.gpus.filter(matches)
        return narrowed
    }

    enum CodingKeys: String, CodingKey {
        case models
        case minMemoryMiB = "min_memory_mib"
        case requiresEncoder = "requires_encoder"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        models = try c.decodeIfPresent([String].self, forKey: .models) ?? []
        minMemoryMiB = try c.decodeIfPresent(Int.self, forKey: .minMemoryMiB)
        requiresEncoder = try c.decodeIfPresent(Bool.self, forKey: .requiresEncoder) ?? false
    }
}
