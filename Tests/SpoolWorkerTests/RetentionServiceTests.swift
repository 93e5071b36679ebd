import Foundation
import Logging
import NIOCore
import SpoolControlPlane
import SpoolCore
import SpoolInMemoryStore
import SpoolStorage
import Testing

@testable import SpoolWorker

/// A retention pass against a store and a bucket in memory: what expires goes, files first; what does not, stays.
@Suite struct RetentionServiceTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let layout = DataLayout(root: "/nonexistent/spool", storageURI: "s3://bucket", outputsByAttempt: true)
    let retention = RetentionPolicy(days: 1, deadLetterDays: 2)

    func put(_ key: String, _ objects: InMemoryObjectStorage) async throws {
        let upload = try await objects.beginUpload(ObjectKey(checked: key), contentType: nil)
        try await upload.write(ByteBuffer(string: key))
        _ = try await upload.complete()
    }

    func spec(upload: String) -> JobSpec {
        JobSpec(
            input: .upload(UploadID(rawValue: upload)),
            outputs: [
                OutputSpec(name: "720p", format: .mp4(video: VideoSettings(height: 720), audio: AudioSettings()))
            ],
            retention: retention)
    }

    /// Submits, claims and settles a job at `t0 + at`; `succeed` false leaves it running.
    func job(
        _ store: InMemoryJobStore, upload: String, at: Double, succeed: Bool = true, resultKey: String? = nil
    ) async throws -> Job {
        let job = try await store.submit(spec(upload: upload), now: t0.addingTimeInterval(at)).job
        let claimed = try #require(
            try await store.claimNext(
                worker: WorkerID(rawValue: "wrk_cpu_a"), pool: "cpu", acceptsUnpinned: true,
                leaseDuration: .seconds(30),
                now: t0.addingTimeInterval(at)))
        guard succeed else { return claimed }
        return try await store.apply(
            .succeed(try #require(claimed.currentLease), outputs: [], resultKey: resultKey), to: job.id,
            now: t0.addingTimeInterval(at + 1)
        ).job
    }

    @Test func expiredJobsLoseTheirFilesAndRecordsWhileRunningAndSharedOnesKeepThem() async throws {
        let store = InMemoryJobStore()
        let objects = InMemoryObjectStorage()
        let finished = try await job(store, upload: "upl_a", at: 0, resultKey: "rk")
        let sharing = try await job(store, upload: "upl_shared", at: 10)
        let running = try await job(store, upload: "upl_shared", at: 20, succeed: false)
        for key in [
            "outputs/\(finished.id)/a1/720p.mp4", "outputs/\(finished.id)/a2/720p.mp4", "uploads/upl_a",
            "results/rk", "outputs/\(sharing.id)/a1/720p.mp4", "uploads/upl_shared",
            "outputs/\(running.id)/a1/720p.mp4",
        ] {
            try await put(key, objects)
        }
        // The index entry names the job that made it.
        let entry = try await objects.beginUpload(ObjectKey(checked: "results/rk"), contentType: nil)
        try await entry.write(ByteBuffer(string: finished.id.rawValue + "\n"))
        _ = try await entry.complete()

        let now = t0.addingTimeInterval(86_400 + 100)
        let service = RetentionService(
            store: store, files: ExpiredFiles(objects: objects, layout: layout), leadership: .alone(),
            interval: .seconds(60), clock: ContinuousClock(), logger: Logger(label: "test"), now: { now })
        let report = try await service.pass(now: now)

        #expect(report.jobs == 2 && report.objects == 3 && report.uploads == 1)
        #expect(try await store.job(finished.id) == nil)
        #expect(try await store.job(sharing.id) == nil)
        #expect(try await store.job(running.id)?.state == .running)
        let left = try await objects.list(prefix: "").map(\.key.rawValue).sorted()
        // The shared upload stays: the running job still reads it.
        #expect(left == ["outputs/\(running.id)/a1/720p.mp4", "uploads/upl_shared"])

        // A second pass finds nothing more to do.
        #expect(try await service.pass(now: now) == RetentionReport())
    }

    @Test func aJobNotYetExpiredIsLeftAlone() async throws {
        let store = InMemoryJobStore()
        let objects = InMemoryObjectStorage()
        let finished = try await job(store, upload: "upl_a", at: 0)
        try await put("outputs/\(finished.id)/a1/720p.mp4", objects)
        let service = RetentionService(
            store: store, files: ExpiredFiles(objects: objects, layout: layout), leadership: .alone(),
            interval: .seconds(60), clock: ContinuousClock(), logger: Logger(label: "test"))
        #expect(try await service.pass(now: t0.addingTimeInterval(86_400)) == RetentionReport())
        #expect(try await store.job(finished.id) != nil)
        #expect(try await objects.list(prefix: "outputs/").count == 1)
    }
}
