import Foundation
import SpoolCore
import Testing

@testable import SpoolMedia

/// The worker runs exactly the path the scheduler placed the job on, or refuses it with a typed error.
@Suite struct PlacedPathTests {
    static let ffmpeg = EncodePathChooserTests.fullFFmpeg
    static let pocl = EncodePathChooserTests.pocl

    func inventory(ffmpeg: FFmpegCapabilities = ffmpeg, opencl: [OpenCLDevice] = [], gpus: [GPUDevice] = [])
        -> DeviceInventory
    {
        DeviceInventory(host: "test", cpuCores: 2, ffmpeg: ffmpeg, opencl: opencl, gpus: gpus)
    }

    func gpus(_ fixture: String) throws -> [GPUDevice] {
        try NvidiaSMI.parse(csv: Fixture.text("nvidia-smi/\(fixture)"))
    }

    func placement(_ path: PlacementPath, gpu: Int?) -> JobPlacement {
        JobPlacement(
            worker: WorkerID(rawValue: "w"), pool: "p", gpu: gpu, deviceModel: nil,
            demand: ResourceDemand(gpuMemoryMiB: gpu == nil ? 0 : 400, encoderSessions: path == .nvenc ? 1 : 0),
            score: 1, placedAt: Date(), path: path)
    }

    @Test func eachPlacedPathRunsAsPlaced() throws {
        let l4s = try gpus("l4-2x.csv")
        let host = inventory(opencl: [Self.pocl], gpus: l4s)
        #expect(
            EncodePathChooser.follow(placement(.nvenc, gpu: 1), inventory: host)
                == .success(.cuda(gpuIndex: 1, nvenc: true)))
        // Placed on NVDEC: the L4 could encode, but the scheduler reserved no encoder session there.
        #expect(
            EncodePathChooser.follow(placement(.nvdec, gpu: 1), inventory: host)
                == .success(.cuda(gpuIndex: 1, nvenc: false)))
        #expect(
            EncodePathChooser.follow(placement(.opencl, gpu: nil), inventory: host)
                == .success(.opencl(deviceSelector: "0.0")))
        #expect(EncodePathChooser.follow(placement(.cpu, gpu: nil), inventory: host) == .success(.cpu))
        // The pool kind no longer decides: a cpu placement on an OpenCL worker's host runs on the CPU.
        #expect(
            EncodePathChooser.choose(pool: .opencl, inventory: host, placement: placement(.cpu, gpu: nil))
                == .success(.cpu))
    }

    @Test func aPathTheWorkerLacksIsRefusedNotSwapped() throws {
        let h200s = inventory(gpus: try gpus("h200-hgx-8x.csv"))
        guard
            case .failure(.cannotRun(.nvenc, 0, let reason)) = EncodePathChooser.follow(
                placement(.nvenc, gpu: 0), inventory: h200s)
        else {
            Issue.record("an H200 ran a job placed on NVENC")
            return
        }
        #expect(reason.contains("no NVENC"))
        // An L4 host whose ffmpeg lacks h264_nvenc used to fall back to NVDEC silently; now it refuses.
        var noNVENC = Self.ffmpeg
        noNVENC.encoders.remove("h264_nvenc")
        let l4s = inventory(ffmpeg: noNVENC, gpus: try gpus("l4-2x.csv"))
        let refused = EncodePathChooser.choose(pool: .cuda, inventory: l4s, placement: placement(.nvenc, gpu: 0))
        guard case .failure(let error) = refused else {
            Issue.record("ran NVENC without h264_nvenc")
            return
        }
        #expect(error.code == .internalError && error.isRetryable)
        #expect(error.message.contains("nvenc path on GPU 0") && error.message.contains("h264_nvenc"))
        // OpenCL without a device, the CPU without encoders, a GPU path without a GPU.
        #expect(
            EncodePathChooser.follow(placement(.opencl, gpu: nil), inventory: inventory())
                == .failure(.cannotRun(path: .opencl, gpu: nil, reason: "no OpenCL device was found")))
        var bare = Self.ffmpeg
        bare.encoders = ["h264_nvenc"]
        guard
            case .failure(.cannotRun(.cpu, nil, _)) = EncodePathChooser.follow(
                placement(.cpu, gpu: nil), inventory: inventory(ffmpeg: bare))
        else {
            Issue.record("a CPU placement ran without CPU encoders")
            return
        }
        #expect(
            EncodePathChooser.follow(placement(.nvdec, gpu: nil), inventory: h200s)
                == .failure(.noGPUInPlacement(path: .nvdec)))
        #expect(
            EncodePathChooser.follow(placement(.nvdec, gpu: 9), inventory: h200s) == .failure(.gpuMissing(index: 9)))
        // A job that asks for NVENC and was placed elsewhere is unsupported, not retried.
        let asked = EncodePathChooser.choose(
            pool: .cuda, inventory: h200s, placement: placement(.nvdec, gpu: 0), acceleration: .nvenc)
        guard case .failure(let unsupported) = asked else {
            Issue.record("an NVENC job ran without NVENC")
            return
        }
        #expect(unsupported.code == .unsupported)
    }
}
