import Foundation
import Hummingbird
import HummingbirdTesting
import SpoolAPIModels
import SpoolCore
import SpoolSQLite
import Testing

@testable import SpoolHTTP

/// The pool routes over a real SQLite store: create, list (merged with pools workers registered in), resize, drain,
/// rebalance, destroy, and the problem documents for what they refuse.
@Suite struct PoolAPITests {
    typealias Fixture = APITests.Fixture

    func status(_ response: TestResponse) -> Int { Int(response.status.code) }

    func problem(_ response: TestResponse) throws -> ProblemDetails {
        try APITests.decode(ProblemDetails.self, response.body)
    }

    /// The pools a server runs itself, and those of workers started by hand, are not the API's: creating one is a
    /// 409 and destroying one is a 404, so the default path can never be taken over or wedged.
    @Test func builtInPoolsAreNotCreatedReplacedOrDestroyed() async throws {
        let fixture = try Fixture(builtInPools: ["cpu"])
        defer { fixture.cleanUp() }
        let now = Date()
        try await fixture.store.upsertWorker(
            WorkerRecord(
                id: WorkerID(rawValue: "wrk_cpu_h"), pool: "by-hand", poolKind: .cpu, host: "h", pid: 1, slots: 1,
                devices: nil, startedAt: now, heartbeatAt: now.addingTimeInterval(3600), selfTest: nil))
        try await fixture.app.test(.router) { client in
            for name in ["cpu", "by-hand"] {
                let create = try await client.execute(
                    uri: "/v1/pools", method: .post,
                    body: APITests.json(#"{"name": "\#(name)", "kind": "cpu", "max_workers": 2}"#))
                #expect(status(create) == 409, "\(name)")
                #expect(try problem(create).rule == "pool_builtin")
                #expect(try problem(create).detail.contains("built in"))
                let destroy = try await client.execute(uri: "/v1/pools/\(name)?force=true", method: .delete)
                #expect(status(destroy) == 404, "\(name)")
            }
            let managed = try await client.execute(
                uri: "/v1/pools", method: .post,
                body: APITests.json(#"{"name": "burst", "kind": "cpu", "max_workers": 2}"#))
            #expect(status(managed) == 201)
        }
    }

    /// A managed pool's demand history can be imported and read back; the import marks the pool so its manager
    /// makes the autoscaler anew from it, and bad samples are refused naming the field.
    @Test func aPoolsDemandHistoryIsImportedAndReadBack() async throws {
        let fixture = try Fixture(builtInPools: ["cpu"])
        defer { fixture.cleanUp() }
        let now = Date()
        @Sendable func sample(_ minutesAgo: Double, _ peak: Double) -> String {
            let start = now.addingTimeInterval(-minutesAgo * 60).formatted(.iso8601)
            return #"{"start": "\#(start)", "peak": \#(peak)}"#
        }
        try await fixture.app.test(.router) { client in
            _ = try await client.execute(
                uri: "/v1/pools", method: .post,
                body: APITests.json(#"{"name": "burst", "kind": "cpu", "max_workers": 2}"#))
            let body = #"{"samples": [\#(sample(30, 4)), \#(sample(45, 2)), \#(sample(15, 7.5))]}"#
            let imported = try await client.execute(
                uri: "/v1/pools/burst/history", method: .put, body: APITests.json(body))
            #expect(status(imported) == 200, "\(String(buffer: imported.body))")
            let history = try APITests.decode(DemandHistoryImport.self, imported.body)
            #expect(history.samples.map(\.peak) == [2, 4, 7.5], "oldest first")
            let read = try await client.execute(uri: "/v1/pools/burst/history", method: .get)
            #expect(try APITests.decode(DemandHistoryImport.self, read.body) == history)
            #expect(try await fixture.store.pool(named: "burst")?.demandImportedAt != nil)

            for (bad, field) in [
                (#"{"samples": []}"#, "samples"),
                (#"{"samples": [\#(sample(-10, 1))]}"#, "samples[0].start"),
                (#"{"samples": [\#(sample(10, -1))]}"#, "samples[0].peak"),
            ] {
                let refused = try await client.execute(
                    uri: "/v1/pools/burst/history", method: .put, body: APITests.json(bad))
                #expect(status(refused) == 400, "\(bad)")
                #expect(try problem(refused).field == field, "\(bad)")
            }
            let unknown = try await client.execute(
                uri: "/v1/pools/none/history", method: .put, body: APITests.json(#"{"samples": [\#(sample(1, 1))]}"#))
            #expect(status(unknown) == 404)
        }
    }

    /// A job may name only a pool that exists: this server's, a managed one, or one whose workers registered.
    @Test func aJobNamingAnUnknownPoolIsRefused() async throws {
        let fixture = try Fixture(builtInPools: ["cpu"])
        defer { fixture.cleanUp() }
        try Data("x".utf8).write(to: fixture.inputs.appendingPathComponent("in.mp4"))
        try await fixture.app.test(.router) { client in
            _ = try await client.execute(
                uri: "/v1/pools", method: .post,
                body: APITests.json(#"{"name": "burst", "kind": "cpu", "max_workers": 2}"#))
            func submit(_ pool: String) async throws -> TestResponse {
                try await client.execute(
                    uri: "/v1/jobs", method: .post,
                    body: APITests.json(
                        #"{"input": "file://\#(fixture.inputs.path)/in.mp4", "preset": "web-360p", "pool": "\#(pool)"}"#
                    ))
            }
            let refused = try await submit("nope")
            #expect(status(refused) == 400)
            #expect(try problem(refused).field == "pool" && problem(refused).rule == "unknown_pool")
            #expect(try problem(refused).detail.contains("burst, cpu"))
            #expect(status(try await submit("cpu")) == 202)
            #expect(status(try await submit("burst")) == 202)
        }
    }

    @Test func createListResizeDrainAndDestroy() async throws {
        let fixture = try Fixture()
        defer { fixture.cleanUp() }
        let now = Date()
        // A heartbeat an hour ahead stays fresh however long a loaded machine takes over this test.
        try await fixture.store.upsertWorker(
            WorkerRecord(
                id: WorkerID(rawValue: "wrk_cpu_a"), pool: "cpu", poolKind: .cpu, host: "h", pid: 1, slots: 2,
                devices: nil, startedAt: now, heartbeatAt: now.addingTimeInterval(3600),
                selfTest: WorkerSelfTest(passed: false, detail: "libx264: Unknown encoder", seconds: 0.1, at: now)))
        try await fixture.app.test(.router) { client in
            let create = try await client.execute(
                uri: "/v1/pools", method: .post,
                body: APITests.json(
                    #"{"name": "burst", "kind": "cpu", "min_workers": 1, "max_workers": 4, "spot": true, "scaling": {"backlog_per_worker": 3}}"#
                ))
            #expect(status(create) == 201)
            let created = try APITests.decode(PoolView.self, create.body)
            #expect(created.spec?.maxWorkers == 4 && created.spec?.spot == true)
            #expect(created.spec?.scaling.backlogPerWorker == 3 && created.spec?.scaling.cooldownSeconds == 60)

            let again = try await client.execute(
                uri: "/v1/pools", method: .post,
                body: APITests.json(#"{"name": "burst", "kind": "cpu", "max_workers": 2}"#))
            #expect(status(again) == 409)
            #expect(try problem(again).rule == "pool_exists")

            let list = try APITests.decode(
                [String: [PoolView]].self, try await client.execute(uri: "/v1/pools", method: .get).body)
            #expect(list["pools"]?.map(\.name) == ["burst", "cpu"])
            let cpu = try #require(list["pools"]?.last)
            #expect(cpu.spec == nil && cpu.workers == 1)
            #expect(cpu.health?.healthyWorkers == 0)
            #expect(cpu.health?.issues == ["wrk_cpu_a: ffmpeg self-test failed: libx264: Unknown encoder"])

            let resize = try await client.execute(
                uri: "/v1/pools/burst", method: .patch, body: APITests.json(#"{"max_workers": 8}"#))
            #expect(status(resize) == 200)
            #expect(
                try APITests.decode(PoolView.self, resize.body).spec.map { ($0.minWorkers, $0.maxWorkers) }! == (1, 8))
            let badResize = try await client.execute(
                uri: "/v1/pools/burst", method: .patch, body: APITests.json(#"{"min_workers": 9}"#))
            #expect(status(badResize) == 400)
            #expect(try problem(badResize).field == "min_workers")
            #expect(
                status(try await client.execute(uri: "/v1/pools/cpu", method: .patch, body: APITests.json("{}"))) == 404
            )

            let drain = try await client.execute(uri: "/v1/pools/burst/drain", method: .post)
            #expect(status(drain) == 202)
            #expect(try await fixture.store.pool(named: "burst")?.phase == .draining)
            let closedResize = try await client.execute(
                uri: "/v1/pools/burst", method: .patch, body: APITests.json(#"{"max_workers": 2}"#))
            #expect(status(closedResize) == 409)

            let destroy = try await client.execute(uri: "/v1/pools/burst", method: .delete)
            #expect(status(destroy) == 202)
            #expect(try await fixture.store.pool(named: "burst")?.phase == .destroying)
            #expect(status(try await client.execute(uri: "/v1/pools/nope", method: .delete)) == 404)
        }
    }

    @Test func destroyIsRefusedWhileJobsRunUnlessForced() async throws {
        let fixture = try Fixture()
        defer { fixture.cleanUp() }
        let now = Date()
        try await fixture.store.createPool(PoolSpec(name: "busy", kind: .cpu, maxWorkers: 2, createdAt: now))
        try await fixture.store.upsertWorker(
            WorkerRecord(
                id: WorkerID(rawValue: "wrk_busy_a"), pool: "busy", poolKind: .cpu, host: "h", pid: 1, slots: 1,
                running: [JobID(rawValue: "job_x")], devices: nil, startedAt: now, heartbeatAt: now))
        try await fixture.app.test(.router) { client in
            let refused = try await client.execute(uri: "/v1/pools/busy", method: .delete)
            #expect(status(refused) == 409)
            #expect(try problem(refused).rule == "pool_busy")
            #expect(try problem(refused).detail.contains("?force=true"))
            #expect(status(try await client.execute(uri: "/v1/pools/busy?force=true", method: .delete)) == 202)
        }
    }

    @Test func rebalanceMovesWaitingJobsAndDecisionsAreListed() async throws {
        let fixture = try Fixture(builtInPools: ["cpu"])
        defer { fixture.cleanUp() }
        let now = Date()
        let spec = JobSpec(input: .file(path: "/in.mp4"), outputs: Presets.named("web-360p")!.outputs, pool: "gone")
        let first = try await fixture.store.submit(spec, now: now).job
        let second = try await fixture.store.submit(spec, now: now).job
        try await fixture.store.recordScalingDecision(
            ScalingRecord(
                pool: "gone", time: now,
                json:
                    #"{"actuator":"local","kind":"removed","note":"removed","pool":"gone","time":"2026-11-29T07:00:00Z"}"#
            ),
            keep: 10)
        try await fixture.app.test(.router) { client in
            let rebalance = try await client.execute(uri: "/v1/pools/gone/rebalance", method: .post)
            #expect(status(rebalance) == 200)
            let moved = try APITests.decode([String: [String]].self, rebalance.body.withoutPool())
            #expect(Set(moved["moved"] ?? []) == [first.id.rawValue, second.id.rawValue])
            #expect(try await fixture.store.job(first.id)?.spec.pool == nil)

            let decisions = try await client.execute(uri: "/v1/pools/gone/decisions?limit=5", method: .get)
            #expect(status(decisions) == 200)
            let text = String(buffer: decisions.body)
            #expect(text.contains(#""kind":"removed""#))
            #expect(status(try await client.execute(uri: "/v1/autoscaler/decisions", method: .get)) == 200)
            // A name no pool, worker or decision knows is missing, as the document says.
            let unknown = try await client.execute(uri: "/v1/pools/nope/decisions", method: .get)
            #expect(status(unknown) == 404)
            #expect(try problem(unknown).detail.contains("no pool named nope"))
            #expect(status(try await client.execute(uri: "/v1/pools/cpu/decisions", method: .get)) == 200)
        }
    }
}

extension ByteBuffer {
    /// The rebalance answer without its `pool` string, so it decodes as `[String: [String]]`.
    func withoutPool() throws -> ByteBuffer {
        var object = try JSONSerialization.jsonObject(with: Data(readableBytesView)) as? [String: Any] ?? [:]
        object["pool"] = nil
        return ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: object))
    }
}
