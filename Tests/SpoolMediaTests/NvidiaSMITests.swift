import SpoolCore
import Testing

@testable import SpoolMedia

@Suite("nvidia-smi parsing")
struct NvidiaSMITests {
    func gpus(_ fixture: String) throws -> [GPUDevice] {
        try NvidiaSMI.parse(csv: Fixture.text("nvidia-smi/\(fixture)"))
    }

    @Test func queryAsksForEveryParsedField() {
        #expect(
            NvidiaSMI.arguments == [
                "--query-gpu=index,uuid,name,driver_version,memory.total,memory.used,utilization.gpu,temperature.gpu,"
                    + "power.draw,power.limit,utilization.encoder,utilization.decoder",
                "--format=csv,noheader,nounits",
            ])
    }

    @Test func teslaT4HasOneEncoderAndNoSessionCap() throws {
        let t4 = try #require(try gpus("t4.csv").first)
        #expect(t4.index == 0)
        #expect(t4.uuid == "GPU-3b9d6a0e-7c1f-2a5e-9b4d-1e6f0c8a2d71")
        #expect(t4.name == "Tesla T4")
        #expect(t4.driverVersion == "535.183.01")
        #expect(t4.memoryTotalMiB == 15360 && t4.memoryUsedMiB == 0)
        #expect(t4.temperatureC == 34 && t4.powerDrawW == 9.82 && t4.powerLimitW == 70)
        #expect(t4.engines == VideoEngines(nvenc: 1, nvdec: 2, sessionLimit: nil))
    }

    @Test func twoL4sHaveTwoEncodersEach() throws {
        let l4s = try gpus("l4-2x.csv")
        #expect(l4s.map(\.index) == [0, 1])
        #expect(l4s.allSatisfy { $0.engines.nvenc == 2 && $0.engines.nvdec == 4 && $0.engines.sessionLimit == nil })
        #expect(l4s[1].memoryUsedMiB == 6155)
        #expect(l4s[1].utilizationPercent == 38)
        #expect(l4s[1].encoderUtilizationPercent == 61 && l4s[1].decoderUtilizationPercent == 23)
    }

    @Test func a100DecodesButCannotEncode() throws {
        let a100s = try gpus("a100-sxm4-2x.csv")
        #expect(a100s.count == 2)
        for gpu in a100s {
            #expect(gpu.name == "NVIDIA A100-SXM4-80GB")
            #expect(gpu.engines.nvenc == 0 && !gpu.engines.canEncode)
            #expect(gpu.engines.nvdec == 5 && gpu.engines.canDecode)
        }
        #expect(a100s[1].memoryFreeMiB == 81920 - 48213)
    }

    @Test func eightH200sDecodeButCannotEncode() throws {
        let h200s = try gpus("h200-hgx-8x.csv")
        #expect(h200s.map(\.index) == Array(0..<8))
        #expect(Set(h200s.map(\.uuid)).count == 8)
        for gpu in h200s {
            #expect(gpu.name == "NVIDIA H200" && gpu.memoryTotalMiB == 143771)
            #expect(gpu.engines.nvenc == 0 && gpu.engines.nvdec == 7)
        }
        #expect(h200s[7].decoderUtilizationPercent == 35)
    }

    @Test func geForceCardsHaveTheConsumerSessionLimit() throws {
        let rtx3060 = try #require(try gpus("geforce-rtx3060.csv").first)
        #expect(rtx3060.engines.canEncode)
        #expect(rtx3060.engines.sessionLimit == GPUModelCatalog.consumerSessionLimit)
        let rtx4090 = try #require(try gpus("geforce-rtx4090.csv").first)
        #expect(rtx4090.engines == VideoEngines(nvenc: 2, nvdec: 1, sessionLimit: GPUModelCatalog.consumerSessionLimit))
        #expect(rtx4090.driverVersion == "555.42.02")
    }

    @Test func unavailableFieldsBecomeNil() throws {
        let devices = try gpus("na-fields.csv")
        #expect(devices.count == 2)
        #expect(devices[0].utilizationPercent == nil)
        #expect(devices[0].encoderUtilizationPercent == nil && devices[0].decoderUtilizationPercent == nil)
        #expect(devices[0].temperatureC == 29)
        #expect(devices[1].temperatureC == nil && devices[1].powerDrawW == nil && devices[1].powerLimitW == nil)
        #expect(devices[1].utilizationPercent == 0)
    }

    @Test func mixedHostKeepsEachModelsEngines() throws {
        let devices = try gpus("mixed-l4-h100.csv")
        #expect(devices.map(\.engines.nvenc) == [2, 0])
        #expect(devices.map(\.engines.nvdec) == [4, 7])
    }

    @Test func emptyOutputMeansNoGPUs() throws {
        #expect(try NvidiaSMI.parse(csv: "").isEmpty)
        #expect(try NvidiaSMI.parse(csv: "\n\n").isEmpty)
    }

    @Test func malformedOutputIsAnError() {
        #expect(throws: NvidiaSMIParseError.self) {
            try NvidiaSMI.parse(csv: "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.")
        }
        #expect(throws: NvidiaSMIParseError.self) {
            try NvidiaSMI.parse(csv: "x, GPU-1, Tesla T4, 535, 15360, 0, 0, 34, 9.82, 70.00, 0, 0")
        }
    }
}
