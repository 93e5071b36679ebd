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

    @Test func placementRecordsCarryThePathTheSchedulerChose() throws {
        // Every path, including ones the GPU and encoder sessions alone would not imply.
        for path in PlacementPath.allCases {
            for gpu in [nil, 1] as [Int?] {
                let placement = JobPlacement(
                    worker: WorkerID(rawValue: "w"), pool: "p", gpu: gpu, deviceModel: nil,
                    demand: ResourceDemand(gpuMemoryMiB: 256, encoderSessions: 1, decoderSessions: 1), score: 3,
                    placedAt: Date(timeIntervalSinceReferenceDate: 5), schedulerToken: 2, path: path)
                let record = PlacementRecord.encode(placement)
                #expect(record.contains(#""path":"\#(path.rawValue)""#))
                #expect(try StoredJSON.decode(JobPlacement.self, from: record, what: "test") == placement)
            }
        }
        // A record written before placements carried a path reads as the path it implied.
        let old =
            #"{"demand":{"decoder_sessions":1,"encoder_sessions":0,"gpu_memory_mib":512,"slots":1},"gpu":2,"#
            + #""placed_at":5,"pool":"cuda","scheduler_token":1,"score":7,"worker":"w"}"#
        #expect(try StoredJSON.decode(JobPlacement.self, from: old, what: "test").path == .nvdec)
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
        #expect(QueuedJobRecord.decode("", id: job.id, version: 1) == nil)
        // Numbers are read as Int(String) reads them: a sign, then digits only, within range.
        let fields = QueuedJobRecord.encode(job).split(separator: "\u{1F}", omittingEmptySubsequences: false)
        for (index, bad) in [(3, "7x"), (3, ""), (7, "99999999999999999999"), (8, " 5"), (9, "-")] {
            var broken = fields
            broken[index] = Substring(bad)
            #expect(QueuedJobRecord.decode(broken.joined(separator: "\u{1F}"), id: job.id, version: 1) == nil)
        }
        var negative = fields
        negative[3] = "-12"
        #expect(
            QueuedJobRecord.decode(negative.joined(separator: "\u{1F}"), id: job.id, version: 1)?.priority == -12)
    }

    @Test func queuedJobRecordsCarryTheTraceParentAndStillReadTheFormatBeforeIt() throws {
        var spec = JobSpec(input: .file(path: "/in/a\u{1F}b.mp4"), outputs: Presets.named("web-360p")!.outputs)
        spec.traceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
        let job = Job(id: JobID(rawValue: "job_t"), spec: spec, now: Date(timeIntervalSinceReferenceDate: 1_000))
        let decoded = try #require(QueuedJobRecord.decode(QueuedJobRecord.encode(job), id: job.id, version: 2))
        #expect(decoded == QueuedJob(job, version: 2))
        #expect(decoded.traceParent == spec.traceParent)
        #expect(decoded.input == "file:///in/a\u{1F}b.mp4")

        // A record written before the trace context was kept (format 2: no traceparent field) still reads.
        var fields = QueuedJobRecord.encode(job).split(separator: "\u{1F}", omittingEmptySubsequences: false)
        fields[0] = "2"
        fields.remove(at: 14)
        let old = try #require(
            QueuedJobRecord.decode(fields.joined(separator: "\u{1F}"), id: job.id, version: 2))
        var expected = QueuedJob(job, version: 2)
        expected.traceParent = nil
        #expect(old == expected)
    }
}
