import Foundation
import SpoolCore
import Testing

@testable import SpoolScheduling

@Suite struct EstimationTests {
    @Test func a1080pTranscodeNeedsAboutWhatWasMeasured() {
        let job = request("j", preset: "web-1080p")
        let demand = ResourceEstimator().demand(for: job, on: .nvenc)
        // 0.3–0.5 GB per 1080p NVDEC→NVENC session (shared notes, ffmpeg.md §6).
        #expect((300...520).contains(demand.gpuMemoryMiB))
        #expect(demand.encoderSessions == 1 && demand.decoderSessions == 1 && demand.slots == 1)
        let ladder = ResourceEstimator().demand(for: request("l", preset: "hls-ladder"), on: .nvenc)
        #expect(ladder.encoderSessions == 4)
        #expect(ladder.gpuMemoryMiB > demand.gpuMemoryMiB)
        let decodeOnly = ResourceEstimator().demand(for: job, on: .nvdec)
        #expect(decodeOnly.encoderSessions == 0 && decodeOnly.decoderSessions == 1)
        #expect(decodeOnly.gpuMemoryMiB < demand.gpuMemoryMiB)
        #expect(ResourceEstimator().demand(for: job, on: .cpu) == ResourceDemand(slots: 1))
    }

    @Test func theEstimateLearnsFromWhatNvidiaSMIReported() {
        var estimator = ResourceEstimator()
        let job = request("j", preset: "web-1080p")
        let modelled = estimator.demand(for: job, on: .nvenc).gpuMemoryMiB
        estimator.learner.observe(estimateKey: "web-1080p", path: .nvenc, peakMiB: 700)
        estimator.learner.observe(estimateKey: "web-1080p", path: .nvenc, peakMiB: 720)
        #expect(estimator.demand(for: job, on: .nvenc).gpuMemoryMiB == modelled)  // not enough runs yet
        estimator.learner.observe(estimateKey: "web-1080p", path: .nvenc, peakMiB: 690)
        let learned = estimator.demand(for: job, on: .nvenc).gpuMemoryMiB
        #expect(learned >= 720 && learned < 900)
        // Other presets and paths keep the model.
        #expect(estimator.demand(for: request("k", preset: "web-720p"), on: .nvenc).gpuMemoryMiB < 720)
    }

    @Test func sessionBudgetsFollowTheEnginesAndTheConsumerCap() {
        let budget = VideoSessionBudget.default
        #expect(budget.encoderSessions(GPUModelCatalog.engines(forModel: "NVIDIA L4")) == 20)
        #expect(budget.encoderSessions(GPUModelCatalog.engines(forModel: "Tesla T4")) == 10)
        #expect(budget.encoderSessions(GPUModelCatalog.engines(forModel: "NVIDIA H200")) == 0)
        #expect(budget.decoderSessions(GPUModelCatalog.engines(forModel: "NVIDIA H200")) == 140)
        #expect(budget.encoderSessions(GPUModelCatalog.engines(forModel: "NVIDIA GeForce RTX 4090")) == 8)
    }
}
