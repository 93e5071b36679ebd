import Foundation
import S3Client
import SpoolAPIModels
import SpoolClient
import SpoolCore
import TestSupport
import Testing

/// A real `spool serve` whose uploads and outputs live in a storage other than its data directory
/// (`--storage file:///B`; the S3 backend takes the same path): every file a client sees is in the storage, the data
/// directory keeps only scratch, and an input deleted from the storage fails its job as `input_not_found`.
@Suite(.serialized) struct StorageIntegrationTests {
    func files(under directory: URL) -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: directory.path)
        return (enumerator?.allObjects as? [String] ?? []).filter { relative in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(
                atPath: directory.appendingPathComponent(relative).path, isDirectory: &isDirectory)
                && !isDirectory.boolValue
        }
    }

    @Test func uploadsAndOutputsLiveInTheStorageNotTheDataDirectory() async throws {
        let area = try TestArea("storage")
        defer { area.cleanUp() }
        let bucket = area.root.appendingPathComponent("bucket")
        try FileManager.default.createDirectory(at: bucket, withIntermediateDirectories: true)
        let server = try SpoolServerProcess(
            dataDirectory: area.data, inputRoot: area.inputs,
            extraArguments: [
                "--storage", "file://" + bucket.path, "--no-deduplicate", "--pools", "cpu", "--cpu-slots", "1",
            ])
        defer { server.stop() }
        try await server.start()
        let client = server.client
        let clip = area.inputs.appendingPathComponent("clip.mp4")
        try await TestMedia.makeClip(at: clip)

        let upload = try await client.upload(file: clip)
        #expect(FileManager.default.fileExists(atPath: bucket.path + "/uploads/" + upload.id.rawValue))
        let outputs = [
            try OutputShorthand.parse("small=mp4,height=240,codec=h264"),
            try OutputShorthand.parse("ladder=hls,heights=240/180,segment=1"),
            try OutputShorthand.parse("thumbs=thumbnails,every=1,height=90"),
        ]
        // A job whose input is deleted from the storage before it runs, queued behind the first one (one slot). The
        // first job's ffmpeg is paused while the doomed job is submitted and its input deleted: without the pause a
        // loaded machine could finish the first job in between, so the doomed one started at once and read its input.
        let doomed = try await client.upload(file: clip)
        let submitted = try await client.submit(JobRequest(input: upload.uri, outputs: outputs))
        var paused: [Int32] = []
        for _ in 0..<600 where paused.isEmpty {
            paused = TestMedia.processes(containing: submitted.id.rawValue)
            if paused.isEmpty { try await Task.sleep(for: .milliseconds(50)) }
        }
        for pid in paused { kill(pid, SIGSTOP) }
        let lostID = try await client.submit(JobRequest(input: doomed.uri, preset: "web-360p")).id
        try FileManager.default.removeItem(atPath: bucket.path + "/uploads/" + doomed.id.rawValue)
        for pid in paused { kill(pid, SIGCONT) }
        #expect(!paused.isEmpty, "the first job's ffmpeg never showed")
        let job = try await client.waitFor(submitted.id)
        #expect(job.state == .succeeded, "\(job.error?.message ?? "")\n\(server.log())")

        // Every output is in the storage under the committed attempt's keys (outputs/JOB/aN), and its URI says so;
        // no other attempt left anything.
        let attemptFolder = "a\(job.attempts)"
        let published = Set(files(under: bucket.appendingPathComponent("outputs/\(job.id.rawValue)")))
        for output in job.outputs {
            #expect(
                output.uri.hasPrefix("file://" + bucket.path + "/outputs/\(job.id.rawValue)/\(attemptFolder)/"),
                "\(output.uri)")
            for file in output.files {
                #expect(published.contains(attemptFolder + "/" + file), "\(file) of \(output.name)")
            }
        }
        #expect(published.allSatisfy { $0.hasPrefix(attemptFolder + "/") }, "\(published)")
        let small = try #require(job.outputs.first { $0.name == "small" })
        let download = try await client.get(small.url)
        #expect(download.status == 200 && Int64(download.body.count) == small.sizeBytes)
        let partial = try await client.get(small.url, headers: ["Range": "bytes=0-99"])
        #expect(partial.status == 206 && partial.body.count == 100)
        let ladder = try #require(job.outputs.first { $0.name == "ladder" })
        let master = try await client.get(ladder.url)
        #expect(String(decoding: master.body, as: UTF8.self).contains("#EXT-X-STREAM-INF"))

        // The data directory holds no upload and no output.
        #expect(files(under: area.data.appendingPathComponent("uploads")).isEmpty)
        #expect(files(under: area.data.appendingPathComponent("outputs")).isEmpty)

        // The input deleted from the storage before its job ran: failed at once, input_not_found, not retried.
        let lost = try await client.waitFor(lostID)
        #expect(
            lost.state == .failed && lost.error?.code == .inputNotFound && lost.attempts == 1,
            "\(lost.state) after \(lost.attempts) attempts: \(lost.error?.message ?? "")")
    }

    /// Deduplication works on storage keys: the index entry and the reused outputs are objects, copied inside the
    /// storage, never through the data directory.
    @Test func deduplicationReusesOutputsInsideTheStorage() async throws {
        let area = try TestArea("storage-dedup")
        defer { area.cleanUp() }
        let bucket = area.root.appendingPathComponent("bucket")
        try FileManager.default.createDirectory(at: bucket, withIntermediateDirectories: true)
        let server = try SpoolServerProcess(
            dataDirectory: area.data, inputRoot: area.inputs, extraArguments: ["--storage", "file://" + bucket.path])
        defer { server.stop() }
        try await server.start()
        let client = server.client
        let clip = area.inputs.appendingPathComponent("clip.mp4")
        try await TestMedia.makeClip(at: clip)
        var jobs: [JobView] = []
        for _ in 0..<2 {
            let upload = try await client.upload(file: clip)
            let id = try await client.submit(JobRequest(input: upload.uri, preset: "web-360p")).id
            jobs.append(try await client.waitFor(id))
        }
        #expect(jobs.allSatisfy { $0.state == .succeeded }, "\(server.log())")
        #expect(!jobs[0].deduplicated && jobs[1].deduplicated && jobs[1].deduplicatedFrom == jobs[0].id)
        for job in jobs {
            for output in job.outputs {
                let download = try await client.get(output.url)
                #expect(download.status == 200 && Int64(download.body.count) == output.sizeBytes)
            }
        }
        #expect(!files(under: bucket.appendingPathComponent("outputs/\(jobs[1].id.rawValue)")).isEmpty)
        #expect(!files(under: bucket.appendingPathComponent("results")).isEmpty, "the index lives in the storage")
        #expect(files(under: area.data.appendingPathComponent("results")).isEmpty)
    }

    @Test func aStorageDirectoryThatDoesNotExistStopsStartUp() async throws {
        let area = try TestArea("storage-missing")
        defer { area.cleanUp() }
        let server = try SpoolServerProcess(
            dataDirectory: area.data, inputRoot: area.inputs,
            extraArguments: ["--storage", "file:///nonexistent/spool-bucket"])
        defer { server.stop() }
        await #expect(throws: TestFailure.self) { try await server.start() }
        #expect(server.log().contains("/nonexistent/spool-bucket"))
    }
}

/// A real `spool serve` on a real S3 server (SeaweedFS): the gateway keeps no file, every output is an object read
/// back from the bucket, downloads stream with ranges or redirect to presigned URLs, a missing bucket stops
/// start-up, and wrong credentials make `/ready` answer 503 with the reason.
@Suite(.serialized) struct S3StorageIntegrationTests {
    /// A shard's placement feed, `NS:{sK}:feed`.
    static func isPlacementFeed(_ key: String) -> Bool { key.hasSuffix(":feed") }

    func s3Arguments(_ server: SeaweedFSServer, bucket: String) -> [String] {
        ["--storage", "s3://\(bucket)/spool", "--s3-endpoint", server.endpoint.absoluteString, "--s3-path-style"]
    }

    func bucket(_ server: SeaweedFSServer, _ name: String) async throws -> S3Client {
        let client = S3Client(
            endpoint: server.endpoint, pathStyle: true,
            credentials: S3Credentials(
                accessKeyID: SeaweedFSServer.accessKey, secretAccessKey: SeaweedFSServer.secretKey))
        for attempt in 0..<50 {
            do {
                try await client.createBucket(name)
                return client
            } catch {
                if attempt == 49 { throw error }
                try await Task.sleep(for: .milliseconds(200))
            }
        }
        return client
    }

    @Test func serveOnABucket() async throws {
        let area = try TestArea("s3")
        defer { area.cleanUp() }
        let weed = try SeaweedFSServer()
        defer { weed.stop() }
        try await weed.waitUntilReady()
        let s3 = try await bucket(weed, "media")
        let server = try SpoolServerProcess(
            dataDirectory: area.data, inputRoot: area.inputs,
            extraArguments: s3Arguments(weed, bucket: "media") + ["--downloads", "redirect"],
            environment: weed.environment)
        defer { server.stop() }
        try await server.start()
        let client = server.client
        let clip = area.inputs.appendingPathComponent("clip.mp4")
        try await TestMedia.makeClip(at: clip)
        let upload = try await client.upload(file: clip)
        #expect(try await s3.headObject(bucket: "media", key: "spool/uploads/\(upload.id.rawValue)") != nil)
        let outputs = [
            try OutputShorthand.parse("small=mp4,height=240,codec=h264"),
            try OutputShorthand.parse("ladder=hls,heights=240/180,segment=1"),
        ]
        let job = try await client.waitFor(try await client.submit(JobRequest(input: upload.uri, outputs: outputs)).id)
        #expect(job.state == .succeeded, "\(job.error?.message ?? "")\n\(server.log())")
        // Read at once after the job shows succeeded: the committed attempt's objects are the outputs, nothing
        // is copied after the commit, so there is no window in which a succeeded job's outputs are missing.
        let prefix = "spool/outputs/\(job.id.rawValue)/a\(job.attempts)/"
        let keys = Set(
            try await s3.listAllObjects(bucket: "media", prefix: "spool/outputs/\(job.id.rawValue)/").map(\.key))
        for output in job.outputs {
            #expect(output.uri.hasPrefix("s3://media/" + prefix))
            for file in output.files { #expect(keys.contains(prefix + file), "\(file)") }
        }
        #expect(keys.allSatisfy { $0.hasPrefix(prefix) }, "no other attempt left objects: \(keys)")
        // Downloads redirect to a presigned URL that serves the bytes without credentials.
        let small = try #require(job.outputs.first { $0.name == "small" })
        let download = try await client.get(small.url)
        #expect(download.status == 200 && Int64(download.body.count) == small.sizeBytes)
        // s3:// inputs: an object under the storage's files/ is read by the worker with the storage's
        // credentials; one elsewhere in the bucket is refused at submission; one that does not exist fails the job
        // as input_not_found.
        try await s3.putObject(bucket: "media", key: "spool/files/clip.mp4", file: clip.path)
        let fromBucket = try await client.waitFor(
            try await client.submit(JobRequest(input: "s3://media/spool/files/clip.mp4", preset: "web-360p")).id)
        #expect(fromBucket.state == .succeeded, "\(fromBucket.error?.message ?? "")")
        await #expect(throws: (any Error).self) {
            _ = try await client.submit(
                JobRequest(input: "s3://media/spool/uploads/\(upload.id.rawValue)", preset: "web-360p"))
        }
        let absent = try await client.waitFor(
            try await client.submit(JobRequest(input: "s3://media/spool/files/absent.mp4", preset: "web-360p")).id)
        #expect(absent.state == .failed && absent.error?.code == .inputNotFound)
        // A client that sends 10 MB of a declared 20 MB upload and disconnects: more than one part reached S3, and
        // the upload is aborted, so no multipart upload and no object is left behind.
        let uploadsBefore = try await s3.listAllObjects(bucket: "media", prefix: "spool/uploads/").count
        let quitter = try await TestCommand.run(
            "python3",
            [
                "-c",
                """
                import socket, time
                s = socket.create_connection(("127.0.0.1", \(server.port)))
                s.sendall(b"POST /v1/uploads HTTP/1.1\\r\\nHost: spool\\r\\nContent-Length: 20000000\\r\\n\\r\\n")
                chunk = b"x" * 65536
                for _ in range(160):
                    s.sendall(chunk)
                time.sleep(1)
                s.close()
                """,
            ])
        #expect(quitter.status == 0, "\(quitter.stderr)")
        var pending: [(String, String)] = []
        for _ in 0..<100 {
            pending = try await s3.listMultipartUploads(bucket: "media", prefix: "spool/uploads/")
            if pending.isEmpty { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(pending.isEmpty, "the abandoned upload was not aborted: \(pending)")
        #expect(try await s3.listAllObjects(bucket: "media", prefix: "spool/uploads/").count == uploadsBefore)
        // The gateway's own disk holds no upload and no output.
        for folder in ["uploads", "outputs"] {
            let files =
                FileManager.default.enumerator(atPath: area.data.appendingPathComponent(folder).path)?
                .allObjects ?? []
            #expect(files.isEmpty, "\(folder): \(files)")
        }
    }

    @Test func aMissingBucketStopsStartUpAndWrongCredentialsMakeReadySay503() async throws {
        let area = try TestArea("s3-faults")
        defer { area.cleanUp() }
        let weed = try SeaweedFSServer()
        defer { weed.stop() }
        try await weed.waitUntilReady()
        _ = try await bucket(weed, "media")
        let missing = try SpoolServerProcess(
            dataDirectory: area.data, inputRoot: area.inputs,
            extraArguments: s3Arguments(weed, bucket: "no-such-bucket"),
            environment: weed.environment)
        defer { missing.stop() }
        await #expect(throws: TestFailure.self) { try await missing.start() }
        #expect(missing.log().contains("no-such-bucket"))

        var wrong = weed.environment
        wrong["AWS_SECRET_ACCESS_KEY"] = "not-the-secret"
        let refused = try SpoolServerProcess(
            dataDirectory: area.root.appendingPathComponent("data2"), inputRoot: area.inputs,
            extraArguments: s3Arguments(weed, bucket: "media"), environment: wrong)
        defer { refused.stop() }
        await #expect(throws: TestFailure.self) { try await refused.start(readyTimeout: .seconds(5)) }
        let ready = try await refused.readiness()
        #expect(ready.status == 503)
        let reason = String(decoding: ready.body, as: UTF8.self)
        #expect(reason.contains("storage") && reason.contains("s3://media/spool"), "\(reason)")
        #expect(!refused.log().contains("not-the-secret"), "a secret never reaches the log")
    }

    /// S3 goes away in the middle of a job: downloads answer 503 at once, the attempt that cannot store its outputs
    /// fails and is retried, and once S3 is back the job succeeds with only the committed attempt's objects.
    @Test func anS3OutageMidJobIsRetriedAndNothingIsHalfPublished() async throws {
        let area = try TestArea("s3-outage")
        defer { area.cleanUp() }
        let weed = try SeaweedFSServer()
        defer { weed.stop() }
        try await weed.waitUntilReady()
        let s3 = try await bucket(weed, "media")
        let server = try SpoolServerProcess(
            dataDirectory: area.data, inputRoot: area.inputs,
            extraArguments: s3Arguments(weed, bucket: "media") + [
                "--pools", "cpu", "--cpu-slots", "1", "--max-attempts", "6", "--storage-breaker-failures", "1",
            ],
            environment: weed.environment)
        defer { server.stop() }
        try await server.start()
        let client = server.client
        let small = area.inputs.appendingPathComponent("small.mp4")
        try await TestMedia.makeClip(at: small)
        let first = try await client.waitFor(
            try await client.submit(JobRequest(input: try await client.upload(file: small).uri, preset: "web-360p")).id)
        #expect(first.state == .succeeded)
        let long = area.inputs.appendingPathComponent("long.mp4")
        try await TestMedia.makeClip(at: long, size: "1280x720", seconds: 10, rate: 30)
        let upload = try await client.upload(file: long)
        let submitted = try await client.submit(
            JobRequest(input: upload.uri, outputs: [try OutputShorthand.parse("o=mp4,height=720,crf=18")]))
        _ = try await client.waitFor(submitted.id) { $0.state == .running && $0.progress > 0 }

        weed.kill9()
        // Reading needs S3: a quick 503 that says to retry, not a hang.
        let during = try await client.get(try #require(first.outputs.first).url)
        #expect(during.status == 503, "\(String(decoding: during.body, as: UTF8.self))")
        // The attempt cannot store its outputs: it fails, and the job waits for another.
        _ = try await client.waitFor(submitted.id) { $0.attempts >= 1 && $0.state == .queued }
        try weed.start()
        try await weed.waitUntilReady()

        let job = try await client.waitFor(submitted.id)
        #expect(
            job.state == .succeeded && job.attempts >= 2, "\(job.error?.message ?? "")\n\(server.log().suffix(3000))")
        let prefix = "spool/outputs/\(job.id.rawValue)/"
        let keys = try await s3.listAllObjects(bucket: "media", prefix: prefix).map(\.key)
        #expect(!keys.isEmpty && keys.allSatisfy { $0.hasPrefix(prefix + "a\(job.attempts)/") }, "\(keys)")
        let output = try #require(job.outputs.first)
        let download = try await client.get(output.url)
        #expect(download.status == 200 && Int64(download.body.count) == output.sizeBytes)
    }

    /// Retention on Redis and S3 with a window of seconds: once the jobs expire, Redis holds as many keys and the
    /// bucket as many objects as before they were submitted; a job that asked to be kept longer stays, whole.
    @Test func expiredJobsLeaveRedisAndTheBucketAsTheyWere() async throws {
        let area = try TestArea("s3-retention")
        defer { area.cleanUp() }
        let weed = try SeaweedFSServer()
        defer { weed.stop() }
        try await weed.waitUntilReady()
        let s3 = try await bucket(weed, "media")
        let redis = try RedisServerProcess()
        defer { redis.stop() }
        try await redis.waitUntilReady()
        // 0.0001 days: 8.64 s after a job finishes.
        let server = try SpoolServerProcess(
            dataDirectory: area.data, inputRoot: area.inputs,
            extraArguments: s3Arguments(weed, bucket: "media") + [
                "--redis", redis.url, "--retention-days", "0.0001", "--dead-letter-retention-days", "0.0001",
                "--pools", "cpu", "--cpu-slots", "1", "--retention-sweep-seconds", "0.5",
            ],
            environment: weed.environment)
        defer { server.stop() }
        try await server.start()
        let client = server.client
        let clip = area.inputs.appendingPathComponent("clip.mp4")
        try await TestMedia.makeClip(at: clip)

        func gone(_ id: JobID) async throws {
            for _ in 0..<300 {
                if try await client.get("/v1/jobs/\(id.rawValue)").status == 404 { return }
                try await Task.sleep(for: .milliseconds(200))
            }
            Issue.record("job \(id) did not expire\n\(server.log().suffix(3000))")
        }
        func objects() async throws -> [String] {
            try await s3.listAllObjects(bucket: "media", prefix: "spool/").map(\.key).sorted()
        }
        /// Keys once nothing has touched Redis for a second (rate-limit keys live milliseconds, a worker's wake token
        /// one second). The placement feeds are left out: one stream per shard, kept by design, created by a
        /// shard's first job.
        func keys() async throws -> [String] {
            for _ in 0..<10 {
                try await Task.sleep(for: .seconds(1))
                let all = try await redis.cli(["--scan"]).split(separator: "\n").map(String.init).sorted()
                if !all.contains(where: { $0.contains(":wake:") }) { return all.filter { !Self.isPlacementFeed($0) } }
            }
            Issue.record("a wake token outlived its expiry")
            return []
        }
        /// DBSIZE without the placement feeds.
        func size() async throws -> String {
            let feeds = try await redis.cli(["--scan"]).split(separator: "\n").filter {
                Self.isPlacementFeed(String($0))
            }
            let all = Int(try await redis.cli(["DBSIZE"]).trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
            return String(all - feeds.count)
        }

        // Warm-up, with the same bytes as later (the probe cache entry of the clip exists from here on), and a job
        // kept for a day.
        let kept = try await client.waitFor(
            try await client.submit(
                JobRequest(input: try await client.upload(file: clip).uri, preset: "web-360p", retainDays: 1)
            ).id)
        #expect(kept.state == .succeeded && kept.retainDays == 1)
        let warmUp = try await client.waitFor(
            try await client.submit(JobRequest(input: try await client.upload(file: clip).uri, preset: "web-360p")).id)
        #expect(warmUp.state == .succeeded && warmUp.expiresAt != nil, "\(server.log().suffix(2000))")
        try await gone(warmUp.id)
        let baselineKeys = try await keys()
        let baselineObjects = try await objects()
        #expect(try await size() == "\(baselineKeys.count)")

        // Two jobs on one upload (the second reuses the first's outputs), one cancelled while it waits, one that
        // fails for good.
        let upload = try await client.upload(file: clip)
        let first = try await client.submit(JobRequest(input: upload.uri, preset: "web-360p"))
        let second = try await client.submit(JobRequest(input: upload.uri, preset: "web-360p"))
        let cancelled = try await client.submit(
            JobRequest(input: try await client.upload(file: clip).uri, preset: "web-720p"))
        _ = try await client.cancel(cancelled.id)
        let broken = area.inputs.appendingPathComponent("broken.mp4")
        try Data("not a video".utf8).write(to: broken)
        let failed = try await client.submit(
            JobRequest(input: try await client.upload(file: broken).uri, preset: "web-360p"))
        let settled = [
            try await client.waitFor(first.id), try await client.waitFor(second.id),
            try await client.waitFor(failed.id),
        ]
        #expect(settled.map(\.state) == [.succeeded, .succeeded, .failed], "\(server.log().suffix(3000))")
        #expect(settled[1].deduplicated)
        #expect(try await objects().count > baselineObjects.count)

        for id in [first.id, second.id, cancelled.id, failed.id] { try await gone(id) }
        #expect(try await keys() == baselineKeys)
        #expect(try await size() == "\(baselineKeys.count)")
        #expect(try await objects() == baselineObjects)

        // The job kept for a day is whole.
        let stillKept = try await client.job(kept.id)
        #expect(stillKept.state == .succeeded)
        for output in stillKept.outputs {
            let download = try await client.get(output.url)
            #expect(download.status == 200 && Int64(download.body.count) == output.sizeBytes)
        }
    }
}
