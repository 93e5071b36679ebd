import Foundation
import Testing

@testable import SpoolCore

@Suite struct PlacementPathTests {
    func placement(gpu: Int?, encoders: Int, path: PlacementPath? = nil) -> JobPlacement {
        JobPlacement(
            worker: WorkerID(rawValue: "w"), pool: "cuda", gpu: gpu, deviceModel: nil,
            demand: ResourceDemand(gpuMemoryMiB: gpu == nil ? 0 : 400, encoderSessions: encoders, decoderSessions: 1),
            score: 1, placedAt: Date(timeIntervalSinceReferenceDate: 1000), schedulerToken: 3, path: path)
    }

    @Test func thePathRoundTripsThroughStoredJSON() throws {
        for path in PlacementPath.allCases {
            let original = placement(gpu: path.usesGPU ? 2 : nil, encoders: path == .nvenc ? 1 : 0, path: path)
            let json = try StoredJSON.encode(original)
            #expect(json.contains("\"path\":\"\(path.rawValue)\""))
            #expect(try StoredJSON.decode(JobPlacement.self, from: json, what: "test") == original)
        }
    }

    @Test func placementsStoredBeforeThePathInferItTheOldWay() throws {
        for (gpu, encoders, expected) in [(0, 2, PlacementPath.nvenc), (1, 0, .nvdec)] as [(Int?, Int, PlacementPath)]
            + [(nil, 0, .cpu)]
        {
            var json = try StoredJSON.encode(placement(gpu: gpu, encoders: encoders, path: .opencl))
            json = json.replacingOccurrences(of: ",\"path\":\"opencl\"", with: "")
            #expect(!json.contains("path"))
            let decoded = try StoredJSON.decode(JobPlacement.self, from: json, what: "test")
            #expect(decoded.path == expected)
            #expect(decoded == placement(gpu: gpu, encoders: encoders))
        }
    }

    @Test func oneJudgeOfWhatAGPUCanEncode() {
        let l4 = GPUModelCatalog.engines(forModel: "NVIDIA L4")
        let h200 = GPUModelCatalog.engines(forModel: "NVIDIA H200")
        let h100 = GPUModelCatalog.engines(forModel: "NVIDIA H100 80GB HBM3")
        #expect(EncodeCapability.gpuPath(l4, for: .auto) == .nvenc)
        #expect(EncodeCapability.gpuPath(l4, for: .nvenc) == .nvenc)
        #expect(EncodeCapability.gpuPath(l4, for: .cpu) == nil)
        for decodeOnly in [h200, h100] {
            #expect(!EncodeCapability.hasNVENC(decodeOnly))
            #expect(EncodeCapability.gpuPath(decodeOnly, for: .auto) == .nvdec)
            #expect(EncodeCapability.gpuPath(decodeOnly, for: .gpu) == .nvdec)
            #expect(EncodeCapability.gpuPath(decodeOnly, for: .nvenc) == nil)
        }
    }

    @Test func whatAHostCanRunComesFromItsInventory() {
        let full = FFmpegCapabilities(
            ffmpegVersion: "7", ffprobeVersion: "7", encoders: ["libx264", "h264_nvenc"],
            filters: ["scale_cuda", "unsharp_opencl"], hwaccels: ["cuda", "opencl"])
        let h200 = GPUDevice(
            index: 0, uuid: "u", name: "NVIDIA H200", memoryTotalMiB: 143_771, memoryUsedMiB: 0,
            engines: GPUModelCatalog.engines(forModel: "NVIDIA H200"))
        let pocl = OpenCLDevice(platformIndex: 0, deviceIndex: 0, platform: "pocl", name: "cpu")
        let host = DeviceInventory(host: "h", cpuCores: 4, ffmpeg: full, opencl: [pocl], gpus: [h200])
        #expect(EncodeCapability.problem(running: .nvdec, gpu: h200, on: host) == nil)
        #expect(EncodeCapability.problem(running: .nvenc, gpu: h200, on: host)?.contains("no NVENC") == true)
        #expect(EncodeCapability.problem(running: .opencl, gpu: nil, on: host) == nil)
        #expect(EncodeCapability.problem(running: .cpu, gpu: nil, on: host) == nil)
        #expect(EncodeCapability.problem(running: .nvdec, gpu: nil, on: host) != nil)
        var bare = host
        bare.ffmpeg.encoders = []
        bare.ffmpeg.hwaccels = []
        #expect(EncodeCapability.problem(running: .cpu, gpu: nil, on: bare)?.contains("libx264") == true)
        #expect(EncodeCapability.problem(running: .nvdec, gpu: h200, on: bare)?.contains("cuda hwaccel") == true)
        #expect(EncodeCapability.openCLDevice(bare) == nil)
        // The pool planner reads the same judge: an H200 host serves cuda with every encode on the CPU.
        let pools = PoolPlanner.pools(for: host)
        #expect(pools.map(\.kind) == [.cpu, .opencl, .cuda, .hybrid])
        #expect(pools.first { $0.kind == .cuda }?.summary.contains("0 with NVENC") == true)
    }

    @Test func aTenantScopedPolicyKeepsEverythingButTheRoots() {
        let layout = DataLayout(root: "/data")
        let base = InputPolicy(inputRoots: ["/srv/media"], allowPrivateNetworks: true, maxUploadBytes: 12345)
        #expect(base.scoped(to: .default, layout: layout) == base)
        let acme = base.scoped(to: TenantID(rawValue: "acme"), layout: layout)
        #expect(acme.inputRoots == ["/data/tenants/acme/files"])
        #expect(acme.maxUploadBytes == 12345)
        #expect(acme.allowPrivateNetworks)
        #expect(acme.isUnderInputRoot("/data/tenants/acme/files/a.mp4"))
        #expect(!acme.isUnderInputRoot("/srv/media/a.mp4"))
        #expect(!acme.isUnderInputRoot("/data/tenants/other/files/a.mp4"))
    }
}
