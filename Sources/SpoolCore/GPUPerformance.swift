/// Published figures of a GPU model that placement scores on: FP32 compute, memory bandwidth and board power.
/// nvidia-smi reports none of them, so the model name decides (NVIDIA data sheets; SXM variants where both exist).
public struct GPUPerformance: Codable, Sendable, Equatable, Hashable {
    public var fp32TFLOPS: Double
    public var memoryBandwidthGBps: Double
    public var boardPowerW: Double

    public init(fp32TFLOPS: Double, memoryBandwidthGBps: Double, boardPowerW: Double) {
        self.fp32TFLOPS = fp32TFLOPS
        self.memoryBandwidthGBps = memoryBandwidthGBps
        self.boardPowerW = boardPowerW
    }

    /// Compute per watt: what the power-efficiency score prefers.
    public var tflopsPerWatt: Double { boardPowerW > 0 ? fp32TFLOPS / boardPowerW : 0 }

    /// A modest card, for models the catalog does not know: scores it low rather than guessing high.
    public static let unknown = GPUPerformance(fp32TFLOPS: 8, memoryBandwidthGBps: 300, boardPowerW: 150)

    enum CodingKeys: String, CodingKey {
        case fp32TFLOPS = "fp32_tflops"
        case memoryBandwidthGBps = "memory_bandwidth_gbps"
        case boardPowerW = "board_power_w"
    }
}

extension GPUModelCatalog {
    // Most specific first, matched like the engine table.
    static let performanceEntries: [(pattern: String, performance: GPUPerformance)] = [
        ("H200", GPUPerformance(fp32TFLOPS: 67, memoryBandwidthGBps: 4800, boardPowerW: 700)),
        ("H100", GPUPerformance(fp32TFLOPS: 67, memoryBandwidthGBps: 3350, boardPowerW: 700)),
        ("A100", GPUPerformance(fp32TFLOPS: 19.5, memoryBandwidthGBps: 2039, boardPowerW: 400)),
        ("A30", GPUPerformance(fp32TFLOPS: 10.3, memoryBandwidthGBps: 933, boardPowerW: 165)),
        ("L40S", GPUPerformance(fp32TFLOPS: 91.6, memoryBandwidthGBps: 864, boardPowerW: 350)),
        ("L40", GPUPerformance(fp32TFLOPS: 90.5, memoryBandwidthGBps: 864, boardPowerW: 300)),
        ("L4", GPUPerformance(fp32TFLOPS: 30.3, memoryBandwidthGBps: 300, boardPowerW: 72)),
        ("A10G", GPUPerformance(fp32TFLOPS: 31.2, memoryBandwidthGBps: 600, boardPowerW: 300)),
        ("A10", GPUPerformance(fp32TFLOPS: 31.2, memoryBandwidthGBps: 600, boardPowerW: 150)),
        ("T4", GPUPerformance(fp32TFLOPS: 8.1, memoryBandwidthGBps: 320, boardPowerW: 70)),
        ("RTX 5090", GPUPerformance(fp32TFLOPS: 104.8, memoryBandwidthGBps: 1792, boardPowerW: 575)),
        ("RTX 4090", GPUPerformance(fp32TFLOPS: 82.6, memoryBandwidthGBps: 1008, boardPowerW: 450)),
        ("RTX 3060", GPUPerformance(fp32TFLOPS: 12.7, memoryBandwidthGBps: 360, boardPowerW: 170)),
    ]

    /// Published performance for a model name as nvidia-smi prints it; `.unknown` when the catalog lacks it.
    public static func performance(forModel name: String) -> GPUPerformance {
        let upper = name.uppercased()
        for entry in performanceEntries where matchesWord(entry.pattern, in: upper) {
            return entry.performance
        }
        return .unknown
    }
}
