import Testing

@testable import SpoolCore

@Suite struct DeviceCatalogTests {
    @Test(arguments: [
        ("NVIDIA H200", 0, 7), ("NVIDIA H100 80GB HBM3", 0, 7), ("NVIDIA A100-SXM4-40GB", 0, 5), ("Tesla T4", 1, 2),
        ("NVIDIA L4", 2, 4), ("NVIDIA L40S", 3, 3), ("NVIDIA A10G", 1, 2), ("NVIDIA GeForce RTX 4090", 2, 1),
    ])
    func enginesPerModel(name: String, nvenc: Int, nvdec: Int) {
        let engines = GPUModelCatalog.engines(forModel: name)
        #expect(engines.nvenc == nvenc)
        #expect(engines.nvdec == nvdec)
    }

    @Test func hopperDecodesButCannotEncode() {
        let engines = GPUModelCatalog.engines(forModel: "NVIDIA H200")
        #expect(engines.canDecode)
        #expect(!engines.canEncode)
    }

    @Test func unknownGeForceCardsGetTheConsumerSessionCap() {
        let engines = GPUModelCatalog.engines(forModel: "NVIDIA GeForce RTX 3060")
        #expect(engines.canEncode)
        #expect(engines.sessionLimit == GPUModelCatalog.consumerSessionLimit)
    }

    func inventory(gpus: [GPUDevice], opencl: [OpenCLDevice] = []) -> DeviceInventory {
        DeviceInventory(
            host: "h", cpuCores: 2,
            ffmpeg: FFmpegCapabilities(
                ffmpegVersion: "5.1", ffprobeVersion: "5.1", encoders: ["libx264", "libx265", "h264_nvenc"],
                filters: ["scale_cuda", "unsharp_opencl"], hwaccels: ["cuda", "opencl"]),
            opencl: opencl, gpus: gpus)
    }

    @Test func poolsFollowTheHardware() {
        #expect(PoolPlanner.pools(for: inventory(gpus: [])).map(\.kind) == [.cpu])
        let pocl = OpenCLDevice(
            platformIndex: 0, deviceIndex: 0, platform: "Portable Computing Language", name: "pthread")
        #expect(PoolPlanner.pools(for: inventory(gpus: [], opencl: [pocl])).map(\.kind) == [.cpu, .opencl])
        let h200 = GPUDevice(
            index: 0, uuid: "GPU-1", name: "NVIDIA H200", memoryTotalMiB: 143_771, memoryUsedMiB: 0,
            engines: GPUModelCatalog.engines(forModel: "NVIDIA H200"))
        let pools = PoolPlanner.pools(for: inventory(gpus: [h200]))
        #expect(pools.map(\.kind) == [.cpu, .cuda, .hybrid])
        #expect(pools[1].summary.contains("0 with NVENC"))
    }

    @Test func internalAddresses() {
        for address in [
            "127.0.0.1", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254", "::1", "fe80::1", "fd00::1",
            "0.0.0.0", "::ffff:127.0.0.1",
        ] {
            #expect(NetworkAddressRules.isInternal(address), "\(address)")
        }
        for address in ["8.8.8.8", "172.32.0.1", "2001:db8::1", "93.184.216.34"] {
            #expect(!NetworkAddressRules.isInternal(address), "\(address)")
        }
    }
}
