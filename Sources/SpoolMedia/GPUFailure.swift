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
        case .invalidInput, .inputUnavailable, .unsupported, .leaseLost, .preempted, .validationFailed:
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

/// A short encode that proves a fenced GPU works again: NVDEC-free (the input is generated), upload, scale on the
/// GPU, and an NVENC encode when the card has encoders.
public enum GPUSelfTest {
    public static func arguments(gpu: Int, canEncode: Bool) -> [String] {
        let upload = "format=nv12,hwupload_cuda,scale_cuda=320:180"
        return [
            "-hide_banner", "-nostdin", "-loglevel", "error", "-init_hw_device", "cuda=gpu:\(gpu)",
            "-filter_hw_device", "gpu", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30", "-frames:v", "30",
        ]
            + (canEncode
                ? ["-vf", upload, "-c:v", "h264_nvenc", "-gpu", "\(gpu)"]
                : ["-vf", upload + ",hwdownload,format=nv12", "-c:v", "rawvideo"])
            + ["-f", "null", "-"]
    }
}

extension GPUSelfTest {
    /// Runs the self-test; nil when it passed, else why it failed.
    public static func run(
        gpu: Int, canEncode: Bool, tools: MediaTools = MediaTools(), timeout: Duration = .seconds(30),
        clock: any Clock<Duration> = ContinuousClock()
    ) async -> String? {
        do {
            let output = try await ToolProcess.run(
                tools.ffmpeg, arguments: arguments(gpu: gpu, canEncode: canEncode), timeout: timeout, clock: clock)
            return output.succeeded ? nil : (output.lastStderrLine ?? "ffmpeg exited with \(output.status)")
        } catch {
            return "ffmpeg did not run: \(error)"
        }
    }
}
