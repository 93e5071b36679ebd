import Foundation

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
