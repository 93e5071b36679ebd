import Foundation
import SpoolCore
import Testing

@testable import SpoolMedia

/// The encode a worker runs at start: real libx264 through the real ffmpeg for CPU pools, the GPU self-test on cuda
/// pools, and a failure reported with ffmpeg's words.
@Suite struct EncodeSelfTestTests {
    @Test func aCPUPoolEncodesWithLibx264ForReal() async {
        let result = await EncodeSelfTest.run(kind: .cpu, gpus: [])
        #expect(result.passed, "\(result.detail)")
        #expect(result.detail == "libx264 encode passed" && result.seconds > 0)
    }

    @Test func aBrokenFFmpegFailsTheTest() async {
        let result = await EncodeSelfTest.run(kind: .opencl, gpus: [], tools: MediaTools(ffmpeg: "/bin/false"))
        #expect(!result.passed && result.detail.hasPrefix("libx264:"))
    }

    @Test func cudaPoolsUseTheGPUSelfTestOnTheirFirstGPU() {
        let l4 = GPUDevice(
            index: 2, uuid: "GPU-2", name: "NVIDIA L4", memoryTotalMiB: 23_034, memoryUsedMiB: 0,
            engines: VideoEngines(nvenc: 2, nvdec: 4))
        let (encoder, arguments) = EncodeSelfTest.arguments(kind: .cuda, gpus: [l4])
        #expect(encoder == "h264_nvenc on GPU 2")
        #expect(arguments == GPUSelfTest.arguments(gpu: 2, canEncode: true))
        // A cuda pool on a host without GPUs falls back to the CPU encode (its discovery would refuse it anyway).
        #expect(EncodeSelfTest.arguments(kind: .cuda, gpus: []).encoder == "libx264")
    }
}
