import Foundation
import SpoolCore
import Testing

@testable import SpoolMedia

@Suite struct GPUHealthTests {
    @Test func sessionFailuresFenceAndOtherFailuresCount() {
        let nvenc = JobError(
            code: .transcodeFailed, message: "ffmpeg exited with status 1",
            stderrTail: ["[h264_nvenc @ 0x55] OpenEncodeSessionEx failed: incompatible client key (21): (no details)"])
        guard case .sessionInitFailed(let reason)? = GPUFailure.event(for: nvenc) else {
            Issue.record("an NVENC session failure did not fence")
            return
        }
        #expect(reason.contains("OpenEncodeSessionEx"))
        let crash = JobError(
            code: .transcodeFailed, message: "ffmpeg was killed by signal 11", stderrTail: ["frame= 10"])
        #expect(GPUFailure.event(for: crash) == .jobFailed(reason: "ffmpeg was killed by signal 11"))
        // The input's fault says nothing about the device.
        #expect(GPUFailure.event(for: JobError(code: .invalidInput, message: "moov atom not found")) == nil)
        #expect(GPUFailure.event(for: JobError(code: .preempted, message: "realtime job")) == nil)
    }

    @Test func selfTestEncodesOnTheGPUItTests() {
        let encode = GPUSelfTest.arguments(gpu: 3, canEncode: true)
        #expect(encode.contains("cuda=gpu:3") && encode.contains("h264_nvenc"))
        #expect(encode[encode.firstIndex(of: "-gpu")! + 1] == "3")
        let decodeOnly = GPUSelfTest.arguments(gpu: 1, canEncode: false)
        #expect(!decodeOnly.contains("h264_nvenc"))
        #expect(decodeOnly.contains("format=nv12,hwupload_cuda,scale_cuda=320:180,hwdownload,format=nv12"))
        #expect(decodeOnly.filter { $0 == "-vf" }.count == 1)
    }

    /// A stand-in ffmpeg at the GPU boundary (this machine has no NVIDIA GPU): a real process whose exit status
    /// decides, so the runner's pass/fail handling is exercised for real.
    @Test func selfTestReportsPassAndFailureFromTheProcess() async {
        #expect(await GPUSelfTest.run(gpu: 0, canEncode: true, tools: MediaTools(ffmpeg: "/bin/true")) == nil)
        let failed = await GPUSelfTest.run(gpu: 0, canEncode: true, tools: MediaTools(ffmpeg: "/bin/false"))
        #expect(failed != nil)
    }
}

@Suite struct ComputeAppsTests {
    @Test func perProcessMemoryIsSummedOverGPUsAndBadLinesSkipped() throws {
        let used = NvidiaSMI.parseComputeApps(csv: try Fixture.text("nvidia-smi/compute-apps.csv"))
        // 412 MiB on one GPU plus the ~55 MiB context every CUDA process leaves on another.
        #expect(used == [48213: 467, 48377: 1890])
    }
}
