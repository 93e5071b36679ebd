import SpoolCore

/// Tells a GPU's own failures from a job's: ffmpeg's words when a device cannot open an encoder or decoder session
/// or its CUDA context (a driver fault, a hung engine, the consumer session cap, GPU memory exhausted) fence the
/// device at once; other transcode failures count towards fencing only when they repeat on the same device.
public enum GPUFailure {
    static let sessionPatterns = [
        "OpenEncodeSessionEx failed", "No capable devices found", "No NVENC capable devices found",
        "InitializeEncoder failed", "CUDA_ERROR", "cuInit", "cuCtxCreate", "Cannot load libnvidia-encode",
        "Cannot load libcuda", "Failed to create CUDA", "cuvidCreateDecoder", "out of memory",
        "Device creation failed", "hwaccel initialisation returned error",
    ]

    /// The device event a failed attempt on a GPU amounts to, or nil when the failure says nothing about the device
    /// (bad input, a cancelled or lost attempt).
    public static func event(for error: JobError) -> DeviceHealth.Event? {
        switch error.code {
        case .invalidInput, .inputUnavailable, .inputNotFound, .unsupported, .leaseLost, .preempted, .validationFailed,
            .resourceLimit, .storageFull:
            return nil
        case .transcodeFailed, .stalled, .timeout, .internalError:
            let text = (error.stderrTail ?? []).joined(separator: "\n") + "\n" + error.message
            if let pattern = sessionPatterns.first(where: { text.localizedCaseInsensitiveContains($0) }) {
                return .sessionInitFailed(reason: "ffmpeg could not open the device (\(pattern))")
            }
            return .jobFailed(reason: error.message)
        }
    }
}
