import Foundation
import SpoolCore
import Testing

@testable import SpoolRedis

@Suite struct RecordCodingTests {
    @Test func placementRecordsDecodeAsStoredJSONWouldHaveWrittenThem() throws {
        let placements = [
            JobPlacement(
                worker: WorkerID(rawValue: "wrk_cuda_1"), pool: "cuda", gpu: 3, deviceModel: "NVIDIA \"L4\"\\\n\u{1}",
                demand: ResourceDemand(gpuMemoryMiB: 512, encoderSessions: 4, decoderSessions: 1, slots: 1),
                score: 71.234_567_891_234, placedAt: Date(timeIntervalSinceReferenceDate: 812_345_678.123_456_7),
                schedulerToken: 9),
            JobPlacement(
                worker: WorkerID(rawValue: "w"), pool: "cpu", gpu: nil, deviceModel: nil, demand: ResourceDemand(),
                score: 0, placedAt: Date(timeIntervalSince1970: 0)),
        ]
        for placement in placements {
            let decoded = try StoredJSON.decode(
                JobPlacement.self, from: PlacementRecord.encode(placement), what: "test")
            #expect(decoded == placement)
        }
    }

    @Test func queuedJobRecordsRoundTripWhatPlacementReads() throws {
        var spec = JobSpec(
            tenant: TenantID(rawValue: "acme"), serviceClass: .realtime, input: .http(url: "https://x/a|b c.mp4"),
            outputs: Presets.named("hls-ladder")!.outputs, priority: 77, pool: "cuda", preset: "hls-ladder",
            acceleration: .nvenc)
        let job = Job(
            id: JobID(rawValue: "job_1"), spec: spec, now: Date(timeIntervalSinceReferenceDate: 812_345_678.5))
        let decoded = try #require(QueuedJobRecord.decode(QueuedJobRecord.encode(job), id: job.id, version: 4))
        #expect(decoded == QueuedJob(job, version: 4))
        spec.pool = nil
        spec.preset = nil
        let unpinned = Job(id: JobID(rawValue: "job_2"), spec: spec, now: Date())
        #expect(
            QueuedJobRecord.decode(QueuedJobRecord.encode(unpinned), id: unpinned.id, version: 1)
                == QueuedJob(unpinned, version: 1))
        #expect(QueuedJobRecord.decode("2\u{1F}junk", id: job.id, version: 1) == nil)
    }
}
