import Foundation
import SpoolAPIModels
import SpoolClient
import SpoolCore
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
        try TestMedia.makeClip(at: clip)

        let upload = try await client.upload(file: clip)
        #expect(FileManager.default.fileExists(atPath: bucket.path + "/uploads/" + upload.id.rawValue))
        let outputs = [
            try OutputShorthand.parse("small=mp4,height=240,codec=h264"),
            try OutputShorthand.parse("ladder=hls,heights=240/180,segment=1"),
            try OutputShorthand.parse("thumbs=thumbnails,every=1,height=90"),
        ]
        let submitted = try await client.submit(JobRequest(input: upload.uri, outputs: outputs))
        // Queued behind it (one slot): a job whose input is deleted from the storage before it runs.
        let doomed = try await client.upload(file: clip)
        let lostID = try await client.submit(JobRequest(input: doomed.uri, preset: "web-360p")).id
        try FileManager.default.removeItem(atPath: bucket.path + "/uploads/" + doomed.id.rawValue)
        let job = try await client.waitFor(submitted.id)
        #expect(job.state == .succeeded, "\(job.error?.message ?? "")\n\(server.log())")

        // Every output is published in the storage under outputs/JOB, and its URI says so.
        let published = Set(files(under: bucket.appendingPathComponent("outputs/\(job.id.rawValue)")))
        for output in job.outputs {
            #expect(output.uri.hasPrefix("file://" + bucket.path + "/outputs/\(job.id.rawValue)/"), "\(output.uri)")
            for file in output.files { #expect(published.contains(file), "\(file) of \(output.name)") }
        }
        let small = try #require(job.outputs.first { $0.name == "small" })
        let download = try await client.get(small.url)
        #expect(download.status == 200 && Int64(download.body.count) == small.sizeBytes)
        let partial = try await client.get(small.url, headers: ["Range": "bytes=0-99"])
        #expect(partial.status == 206 && partial.body.count == 100)
        let ladder = try #require(job.outputs.first { $0.name == "ladder" })
        let master = try await client.get(ladder.url)
        #expect(String(decoding: master.body, as: UTF8.self).contains("#EXT-X-STREAM-INF"))

        // No attempt objects are left, and the data directory holds no upload and no output.
        #expect(files(under: bucket.appendingPathComponent("work")).isEmpty)
        #expect(files(under: area.data.appendingPathComponent("uploads")).isEmpty)
        #expect(files(under: area.data.appendingPathComponent("outputs")).isEmpty)

        // The input deleted from the storage before its job ran: failed at once, input_not_found, not retried.
        let lost = try await client.waitFor(lostID)
        #expect(
            lost.state == .failed && lost.error?.code == .inputNotFound && lost.attempts == 1,
            "\(lost.error?.message ?? "")")
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
        try TestMedia.makeClip(at: clip)
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
        #expect(files(under: bucket.appendingPathComponent("work")).isEmpty)
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
