import Foundation
import SpoolCore

/// The short encode a worker runs when it starts: a generated clip through the encoder its pool uses, so a host
/// whose ffmpeg or GPU cannot do the pool's work shows up in `spool pools show` before any job fails on it.
public enum EncodeSelfTest {
    public static func arguments(kind: PoolKind, gpus: [GPUDevice]) -> (encoder: String, arguments: [String]) {
        if kind == .cuda || kind == .hybrid, let gpu = gpus.first {
            let encoder = gpu.engines.canEncode ? "h264_nvenc on GPU \(gpu.index)" : "scale_cuda on GPU \(gpu.index)"
            return (encoder, GPUSelfTest.arguments(gpu: gpu.index, canEncode: gpu.engines.canEncode))
        }
        return (
            "libx264",
            [
                "-hide_banner", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25",
                "-frames:v", "12", "-c:v", "libx264", "-preset", "ultrafast", "-f", "null", "-",
            ]
        )
    }

    public static func run(
        kind: PoolKind, gpus: [GPUDevice], tools: MediaTools = MediaTools(), timeout: Duration = .seconds(30)
    ) async -> WorkerSelfTest {
        let (encoder, arguments) = arguments(kind: kind, gpus: gpus)
        let started = ContinuousClock.now
        let detail: String
        let passed: Bool
        do {
            let output = try await ToolProcess.run(
                tools.ffmpeg, arguments: arguments, timeout: timeout, clock: ContinuousClock())
            passed = output.succeeded
            let failure = output.lastStderrLine ?? "ffmpeg exited with \(output.status)"
            detail = passed ? "\(encoder) encode passed" : "\(encoder): \(failure)"
        } catch {
            passed = false
            detail = "\(encoder): ffmpeg did not run: \(error)"
        }
        let elapsed = ContinuousClock.now - started
        return WorkerSelfTest(
            passed: passed, detail: detail,
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, at: Date())
    }
}
