import Foundation
import SpoolCore
import Testing

@testable import SpoolMedia

@Suite("EncodePathChooser")
struct EncodePathChooserTests {
    static let fullFFmpeg = FFmpegCapabilities(
        ffmpegVersion: "5.1.9", ffprobeVersion: "5.1.9", encoders: ["libx264", "libx265", "h264_nvenc", "hevc_nvenc"],
        filters: ["scale", "scale_cuda", "unsharp_opencl"], hwaccels: ["cuda", "opencl"])

    static let pocl = OpenCLDevice(
        platformIndex: 0, deviceIndex: 0, platform: "Portable Computing Language", name: "cpu")

    func inventory(
        ffmpeg: FFmpegCapabilities = fullFFmpeg, opencl: [OpenCLDevice] = [], gpus: [GPUDevice] = []
    ) -> DeviceInventory {
        DeviceInventory(host: "test", cpuCores: 2, ffmpeg: ffmpeg, opencl: opencl, gpus: gpus)
    }

    func gpus(_ fixture: String) throws -> [GPUDevice] {
        try NvidiaSMI.parse(csv: Fixture.text("nvidia-smi/\(fixture)"))
    }

    func unsupported(_ result: Result<EncodePath, JobError>) -> JobError? {
        guard case .failure(let error) = result, error.code == .unsupported else { return nil }
        return error
    }

    @Test func cpuPool() {
        #expect(EncodePathChooser.choose(pool: .cpu, inventory: inventory()) == .success(.cpu))
        var bare = Self.fullFFmpeg
        bare.encoders = ["mpeg4"]
        let error = unsupported(EncodePathChooser.choose(pool: .cpu, inventory: inventory(ffmpeg: bare)))
        #expect(error?.message.contains("libx264") == true)
    }

    @Test func openCLPoolUsesTheFirstDevice() {
        let second = OpenCLDevice(platformIndex: 1, deviceIndex: 2, platform: "Other", name: "gpu")
        #expect(
            EncodePathChooser.choose(pool: .opencl, inventory: inventory(opencl: [Self.pocl, second]))
                == .success(.opencl(deviceSelector: "0.0")))
        let none = unsupported(EncodePathChooser.choose(pool: .opencl, inventory: inventory()))
        #expect(none?.message.contains("OpenCL device") == true)
        var noFilter = Self.fullFFmpeg
        noFilter.filters = ["scale"]
        let filter = unsupported(
            EncodePathChooser.choose(pool: .opencl, inventory: inventory(ffmpeg: noFilter, opencl: [Self.pocl])))
        #expect(filter?.message.contains("unsharp_opencl") == true)
    }

    @Test func cudaPoolPicksTheLeastLoadedGPU() throws {
        let l4s = try gpus("l4-2x.csv")  // GPU 1 is busy
        #expect(
            EncodePathChooser.choose(pool: .cuda, inventory: inventory(gpus: l4s))
                == .success(.cuda(gpuIndex: 0, nvenc: true)))
        let reversed = l4s.map { gpu -> GPUDevice in
            var gpu = gpu
            gpu.index = 1 - gpu.index
            return gpu
        }
        #expect(
            EncodePathChooser.choose(pool: .cuda, inventory: inventory(gpus: reversed))
                == .success(.cuda(gpuIndex: 1, nvenc: true)))
    }

    @Test func cudaOnH200EncodesOnCPU() throws {
        let h200s = try gpus("h200-hgx-8x.csv")
        #expect(
            EncodePathChooser.choose(pool: .cuda, inventory: inventory(gpus: h200s))
                == .success(.cuda(gpuIndex: 0, nvenc: false)))
    }

    @Test func cudaWithoutGPUsOrFilters() throws {
        let none = unsupported(EncodePathChooser.choose(pool: .cuda, inventory: inventory()))
        #expect(none?.message.contains("no NVIDIA GPU") == true)
        var noCUDA = Self.fullFFmpeg
        noCUDA.hwaccels = ["opencl"]
        noCUDA.filters = ["scale"]
        let lacking = unsupported(
            EncodePathChooser.choose(pool: .cuda, inventory: inventory(ffmpeg: noCUDA, gpus: try gpus("t4.csv"))))
        #expect(lacking?.message.contains("cuda hwaccel") == true)
        #expect(lacking?.message.contains("scale_cuda") == true)
    }

    @Test func hybridPrefersNVENCAndFallsBackToCPU() throws {
        let mixed = try gpus("mixed-l4-h100.csv")
        #expect(
            EncodePathChooser.choose(pool: .hybrid, inventory: inventory(gpus: mixed))
                == .success(.cuda(gpuIndex: 0, nvenc: true)))
        #expect(
            EncodePathChooser.choose(pool: .hybrid, inventory: inventory(gpus: try gpus("h200-hgx-8x.csv")))
                == .success(.cpu))
        #expect(EncodePathChooser.choose(pool: .hybrid, inventory: inventory()) == .success(.cpu))
        var noEncoders = Self.fullFFmpeg
        noEncoders.encoders = []
        #expect(unsupported(EncodePathChooser.choose(pool: .hybrid, inventory: inventory(ffmpeg: noEncoders))) != nil)
    }

    func placement(gpu: Int?, encoders: Int) -> JobPlacement {
        JobPlacement(
            worker: WorkerID(rawValue: "w"), pool: "cuda", gpu: gpu, deviceModel: nil,
            demand: ResourceDemand(gpuMemoryMiB: gpu == nil ? 0 : 400, encoderSessions: encoders, decoderSessions: 1),
            score: 1, placedAt: Date())
    }

    @Test func theWorkerFollowsThePlacement() throws {
        let mixed = inventory(gpus: try gpus("mixed-l4-h100.csv"))
        // Placed on the L4 with encoder sessions reserved: NVENC on that GPU, whatever is least loaded.
        #expect(
            EncodePathChooser.choose(pool: .cuda, inventory: mixed, placement: placement(gpu: 0, encoders: 1))
                == .success(.cuda(gpuIndex: 0, nvenc: true)))
        // Placed on the H100 (decode only): NVDEC there, encode on the host.
        #expect(
            EncodePathChooser.choose(pool: .cuda, inventory: mixed, placement: placement(gpu: 1, encoders: 0))
                == .success(.cuda(gpuIndex: 1, nvenc: false)))
        // A job that asks for NVENC never runs without it, even if a placement says otherwise.
        #expect(
            unsupported(
                EncodePathChooser.choose(
                    pool: .cuda, inventory: mixed, placement: placement(gpu: 1, encoders: 0), acceleration: .nvenc))
                != nil)
        // On the host of a hybrid worker: CPU.
        #expect(
            EncodePathChooser.choose(pool: .hybrid, inventory: mixed, placement: placement(gpu: nil, encoders: 0))
                == .success(.cpu))
        // A GPU the worker does not have is an internal error the scheduler recovers from, not the job's fault.
        guard
            case .failure(let missing) = EncodePathChooser.choose(
                pool: .cuda, inventory: mixed, placement: placement(gpu: 7, encoders: 1))
        else {
            Issue.record("placed on a GPU that does not exist, and chosen")
            return
        }
        #expect(missing.code == .internalError && missing.isRetryable)
    }
}
