import Foundation
import Testing

@testable import SpoolCore

/// Stores keep decoded jobs and workers while their stored text is unchanged, and keep what they wrote as the
/// decoding of the text they wrote; both are right only because a stored document reads back equal to its value.
@Suite struct StoredJSONMemoTests {
    let lifecycle = JobLifecycle(
        retryPolicy: RetryPolicy(maxAttempts: 3, baseDelay: .seconds(2), maxDelay: .seconds(60)))
    /// Sub-microsecond parts, which seconds since 1970 or ISO 8601 would round away.
    let t0 = Date(timeIntervalSince1970: 1_750_000_000.123_456_7)

    /// Every step of a job's life, from submit to a success with outputs, progress with odd numbers included.
    func lifeOfAJob() throws -> [Job] {
        var job = Job(
            id: JobID(rawValue: "job_memo"),
            spec: JobSpec(
                input: .file(path: "/in/a b.mp4"), outputs: Presets.named("hls-ladder")!.outputs, priority: 7),
            now: t0)
        var steps = [job]
        let worker = WorkerID(rawValue: "wrk_cpu_a")
        job = try lifecycle.apply(
            .claim(worker: worker, pool: "cpu", leaseDuration: .seconds(30)), to: job, now: t0.addingTimeInterval(0.1)
        ).job
        steps.append(job)
        let lease = try #require(job.currentLease)
        for (index, progress) in [
            TranscodeProgress(fraction: 0.333_333_333_333_333_3, fps: 29.97, speed: 1.000_000_1),
            TranscodeProgress(fraction: 1, fps: .infinity, speed: nil, transcodeFinished: true),
        ].enumerated() {
            job = try lifecycle.apply(
                .heartbeat(lease, progress: progress, leaseDuration: .seconds(30)), to: job,
                now: t0.addingTimeInterval(0.5 * Double(index + 1) + 0.000_000_3)
            ).job
            steps.append(job)
        }
        let output = OutputResult(
            name: "hls", kind: .hls, path: "hls/master.m3u8", files: ["hls/master.m3u8", "hls/r0/index.m3u8"],
            codec: "h264", width: 1280, height: 720, durationSeconds: 10.010_000_000_000_1, sizeBytes: 1_234_567,
            ssim: 0.994_619)
        job = try lifecycle.apply(.succeed(lease, outputs: [output]), to: job, now: t0.addingTimeInterval(3.7)).job
        steps.append(job)
        return steps
    }

    @Test func everyStepOfAJobReadsBackEqualToWhatWasWritten() throws {
        for job in try lifeOfAJob() {
            let text = try StoredJSON.encode(job)
            #expect(try StoredJSON.decode(Job.self, from: text, what: "test") == job, "\(job.state)")
        }
    }

    @Test func aWorkerRecordReadsBackEqualToWhatWasWritten() throws {
        let ffmpeg = FFmpegCapabilities(
            ffmpegVersion: "5.1.9", ffprobeVersion: "5.1.9", encoders: ["libx264", "h264_nvenc"],
            filters: ["scale_cuda", "unsharp_opencl"], hwaccels: ["cuda", "opencl"])
        let gpu = GPUDevice(
            index: 0, uuid: "GPU-1", name: "NVIDIA L4", memoryTotalMiB: 23_034, memoryUsedMiB: 517,
            engines: GPUModelCatalog.engines(forModel: "NVIDIA L4"))
        let pocl = OpenCLDevice(platformIndex: 0, deviceIndex: 0, platform: "pocl", name: "cpu")
        let record = WorkerRecord(
            id: WorkerID(rawValue: "wrk_cuda_a"), pool: "cuda", poolKind: .cuda, host: "h", pid: 42, slots: 3,
            running: [JobID(rawValue: "job_1")],
            devices: DeviceInventory(host: "h", cpuCores: 16, ffmpeg: ffmpeg, opencl: [pocl], gpus: [gpu]),
            startedAt: t0, heartbeatAt: t0.addingTimeInterval(2.000_000_3), fencedGPUs: [1: "Xid 79"],
            cachedInputs: ["sha256:ab"], inputRoots: ["/in"], capacityType: .spot)
        let text = try StoredJSON.encode(record)
        #expect(try StoredJSON.decode(WorkerRecord.self, from: text, what: "test") == record)
    }

    @Test func aDocumentIsDecodedOnlyWhenItsTextChanged() throws {
        let memo = StoredJSONMemo<Job>()
        let steps = try lifeOfAJob()
        let first = try StoredJSON.encode(steps[0])
        #expect(try memo.decode(first, key: "job_memo", what: "test") == steps[0])
        // What a store wrote is kept as the decoding of the text it wrote: this text would not even decode.
        memo.remember(steps[1], text: "written", key: "job_memo")
        #expect(try memo.decode("written", key: "job_memo", what: "test") == steps[1])
        // Another text for the same key is decoded afresh.
        let later = try StoredJSON.encode(steps[2])
        #expect(try memo.decode(later, key: "job_memo", what: "test") == steps[2])
        #expect(throws: StoreError.self) { try memo.decode("damaged", key: "job_memo", what: "test") }
    }

    @Test func aFullMemoStartsOver() throws {
        let memo = StoredJSONMemo<Job>(capacity: 2)
        let job = try lifeOfAJob()[0]
        memo.remember(job, text: "a", key: "a")
        memo.remember(job, text: "b", key: "b")
        #expect(try memo.decode("a", key: "a", what: "test") == job)
        // A third key empties it: "a" is no longer known, so its (undecodable) text is decoded and refused.
        memo.remember(job, text: "c", key: "c")
        #expect(throws: StoreError.self) { try memo.decode("a", key: "a", what: "test") }
        #expect(try memo.decode("c", key: "c", what: "test") == job)
    }
}
