import SpoolCore
import Testing

@testable import SpoolWorker

/// The mean power of the readings taken while an attempt ran.
@Suite struct GPUPowerLogTests {
    func gpu(_ index: Int, watts: Double?) -> GPUDevice {
        GPUDevice(
            index: index, uuid: "GPU-\(index)", name: "NVIDIA L4", memoryTotalMiB: 23034, memoryUsedMiB: 0,
            powerDrawW: watts, engines: GPUModelCatalog.engines(forModel: "NVIDIA L4"))
    }

    @Test func anAttemptGetsTheMeanOfTheReadingsSinceItStarted() {
        let log = GPUPowerLog()
        log.record([gpu(0, watts: 20), gpu(1, watts: 30)])
        let mark = log.mark(gpu: 0)
        log.record([gpu(0, watts: 60), gpu(1, watts: 30)])
        log.record([gpu(0, watts: 70), gpu(1, watts: nil)])
        #expect(log.meanWatts(gpu: 0, since: mark) == 65)
    }

    @Test func aShortAttemptTakesTheLatestReadingAndAGPUWithoutPowerHasNone() {
        let log = GPUPowerLog()
        log.record([gpu(0, watts: 35), gpu(1, watts: nil)])
        #expect(log.meanWatts(gpu: 0, since: log.mark(gpu: 0)) == 35)
        #expect(log.meanWatts(gpu: 1, since: log.mark(gpu: 1)) == nil)
    }
}
