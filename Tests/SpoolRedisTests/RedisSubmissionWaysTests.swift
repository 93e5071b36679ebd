import Foundation
import JobStoreConformance
import RESPClient
import SpoolCore
import TestSupport
import Testing

@testable import SpoolRedis

/// On a single server a submission is one script that also takes the list sequence, reads the other shard's key
/// and the quota's other shards, and lists the job; on a Cluster it is a read, the script and the listing. Both ways
/// must leave Redis holding the same thing, and answer the same.
@Suite(.serialized) struct RedisSubmissionWaysTests {
    /// The same submissions through both ways, on one server, each in its own namespace: every key, its type and its
    /// contents agree once job IDs (random) are replaced by their order of creation.
    @Test func oneScriptWritesWhatTheReadTheScriptAndTheListingWrite() async throws {
        let server = try RedisServerProcess()
        defer { server.stop() }
        try await server.waitUntilReady()
        let client = server.client()
        var contents: [[String]] = []
        var answers: [[String]] = []
        for oneScript in [true, false] {
            let namespace = oneScript ? "one" : "steps"
            let store = RedisJobStore(
                client: client, namespace: namespace, shards: 3, lifecycle: JobStoreConformance.lifecycle,
                placementFeedWindow: .seconds(30), submissionInOneScript: oneScript)
            let (answered, ids) = try await Self.submitTheSameJobs(to: store)
            answers.append(answered)
            contents.append(try await Self.dump(namespace, client: client, ids: ids))
        }
        #expect(answers[0] == answers[1])
        #expect(contents[0].count == contents[1].count)
        // Only the lines that differ, should any: a whole dump of each would bury them.
        #expect(Set(contents[0]).symmetricDifference(contents[1]).sorted() == [])
        // What was compared: job hashes, the sequence, the list indexes, the readers of the upload, the queued sets,
        // the idempotency entries and the placement feeds.
        let kinds = Set(contents[0].map { $0.components(separatedBy: " ").prefix(2).joined(separator: " ") })
        for expected in [
            "string NS:{index}:seq", "zset NS:{index}:jobs", "zset NS:{index}:state:queued", "hash NS:{s0}:idem",
            "stream NS:{s0}:feed",
        ] {
            #expect(kinds.contains(expected), "no \(expected) among \(kinds.sorted())")
        }
        #expect(contents[0].contains { $0.hasPrefix("set NS:{index}:reads:upload:upl_one") })
        #expect(contents[0].contains { $0.hasPrefix("string NS:{index}:seq 11") })
        await client.close()
    }

    /// The submissions: plain and keyed jobs, an upload, a replay, a tenant given a quota after it had jobs in other
    /// shards (they count), a key first filed without the quota and replayed with it (found in the other shard), and
    /// a refusal at the quota. Returns what each answered, IDs in order of creation, and the IDs.
    private static func submitTheSameJobs(to store: RedisJobStore) async throws -> (answers: [String], ids: [JobID]) {
        var ids: [JobID] = []
        var answers: [String] = []
        func name(_ id: JobID) -> String { "J\(ids.firstIndex(of: id).map(String.init) ?? "?")" }
        func submit(_ spec: JobSpec, maxQueued: Int? = nil, at seconds: Double) async throws {
            do {
                let (job, created) = try await store.submit(
                    spec, maxQueued: maxQueued, now: JobStoreConformance.at(seconds))
                if created { ids.append(job.id) }
                answers.append("\(created ? "created" : "replayed") \(name(job.id))")
            } catch let error as StoreError {
                answers.append("refused: \(error)")
            }
        }
        let quota = TenantID(rawValue: "acme")
        try await submit(JobStoreConformance.spec(key: "a"), at: 0)
        try await submit(JobStoreConformance.spec(priority: 90, key: "b"), at: 1)
        var upload = JobStoreConformance.spec(key: "c")
        upload.input = .upload(UploadID(rawValue: "upl_one"))
        try await submit(upload, at: 2)
        try await submit(JobStoreConformance.spec(key: "a"), at: 3)
        for key in ["q1", "q2", "q3"] {
            try await submit(JobStoreConformance.spec(tenant: quota, key: key), at: 4)
        }
        try await submit(JobStoreConformance.spec(tenant: quota, key: "q2"), maxQueued: 5, at: 5)
        try await submit(JobStoreConformance.spec(tenant: quota, key: "q4"), maxQueued: 5, at: 6)
        try await submit(JobStoreConformance.spec(tenant: quota, key: "q5"), maxQueued: 5, at: 7)
        try await submit(JobStoreConformance.spec(tenant: quota, key: "q6"), maxQueued: 5, at: 8)
        return (answers, ids)
    }

    /// Every key of the namespace as one line each, `TYPE KEY CONTENTS`, sorted, with the namespace written `NS` and
    /// each job ID as its order of creation. Stream entries keep their fields only (their IDs are Redis's clock).
    private static func dump(_ namespace: String, client: RedisClient, ids: [JobID]) async throws -> [String] {
        func normal(_ text: String) -> String {
            var text = text.replacingOccurrences(of: namespace + ":", with: "NS:")
            for (index, id) in ids.enumerated() { text = text.replacingOccurrences(of: id.rawValue, with: "J\(index)") }
            return text
        }
        func strings(_ reply: RESPValue) -> [String] { (reply.array ?? []).map { $0.string ?? "\($0)" } }
        var lines: [String] = []
        for key in strings(try await client.send(["KEYS", .init(namespace + ":*")])) {
            let type = try await client.send(["TYPE", .init(key)]).string ?? "?"
            var contents: [String]
            switch type {
            case "string": contents = [try await client.send(["GET", .init(key)]).string ?? ""]
            case "hash": contents = strings(try await client.send(["HGETALL", .init(key)]))
            case "zset": contents = strings(try await client.send(["ZRANGE", .init(key), "0", "-1", "WITHSCORES"]))
            case "set": contents = strings(try await client.send(["SMEMBERS", .init(key)]))
            case "stream":
                contents = (try await client.send(["XRANGE", .init(key), "-", "+"]).array ?? []).flatMap { entry in
                    strings(entry.array?.last ?? .null)
                }
            default: contents = ["unexpected type"]
            }
            if type == "hash" {
                contents = stride(from: 0, to: contents.count - 1, by: 2).map { contents[$0] + "=" + contents[$0 + 1] }
            }
            contents = contents.map(normal)
            // A set's members and a hash's fields come in the server's own order: sorted (once IDs are named by
            // order of creation), two with the same members are alike.
            if type == "set" || type == "hash" { contents.sort() }
            lines.append(normal("\(type) \(key) ") + contents.joined(separator: " "))
        }
        return lines.sorted()
    }
}
