import Foundation

/// GPU memory per process, as `nvidia-smi --query-compute-apps` reports it: what the driver actually gave each
/// ffmpeg, which placement's estimates learn from.
extension NvidiaSMI {
    public static let computeAppsArguments = [
        "--query-compute-apps=pid,gpu_uuid,used_memory", "--format=csv,noheader,nounits",
    ]

    /// pid → MiB used, summed over GPUs. Lines it cannot read ("[N/A]" under some MIG setups) are skipped.
    public static func parseComputeApps(csv: String) -> [Int32: Int] {
        var used: [Int32: Int] = [:]
        for line in csv.split(whereSeparator: \.isNewline) {
            let fields = line.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count == 3, let pid = Int32(fields[0]), let mib = Int(fields[2]) else { continue }
            used[pid, default: 0] += mib
        }
        return used
    }
}

extension DeviceDiscovery {
    /// GPU memory per process now; empty without NVIDIA GPUs or when nvidia-smi fails.
    public func computeApps() async -> [Int32: Int] {
        guard
            let output = try? await ToolProcess.run(
                nvidiaSMI, arguments: NvidiaSMI.computeAppsArguments, timeout: timeout, clock: clock),
            output.succeeded
        else { return [:] }
        return NvidiaSMI.parseComputeApps(csv: output.stdoutText)
    }
}
