import Foundation
import SpoolCore
import Testing

@testable import SpoolPlacement

/// A realtime job that leaves its acceleration to Spool (`auto`) preempts a batch job on a CPU pool, as one that asks
/// for `cpu` does: the preemption planner weighs the path the pool's devices offer, not NVENC.
@Suite struct AutoJobsPreemptOnCPUPoolsTests {
    @Test func aRealtimeAutoJobPreemptsABatchAutoJobOnTheOnlyCPUSlot() async throws {
        let t = try await PlacementFixture(.memory)
        defer { t.stop() }
        let store = t.store
        let now = t.now
        let cpu = try await t.register("c1", gpus: nil, kind: .cpu, slots: 1)
        func submit(_ serviceClass: ServiceClass, tenant: String) async throws -> Job {
            try await store.submit(
                JobSpec(
                    tenant: TenantID(rawValue: tenant), serviceClass: serviceClass, input: .file(path: "/in/clip.mp4"),
                    outputs: Presets.named("web-360p")!.outputs, pool: "cpu", preset: "web-360p", acceleration: .auto),
                now: now
            ).job
        }
        let batch = try await submit(.batch, tenant: "archive")
        _ = try await t.cycle(token: 1, now: now)
        #expect(
            try await store.claimPlaced(worker: cpu, pool: "cpu", leaseDuration: .seconds(300), now: now)?.id
                == batch.id)
        let realtime = try await submit(.realtime, tenant: "news")
        let report = try await t.cycle(token: 2, now: now.addingTimeInterval(1))
        let plan = try #require(report.plan)
        #expect(plan.preemptions.map(\.victim) == [batch.id])
        #expect(plan.preemptions.map(\.beneficiary) == [realtime.id])
        #expect(report.evicted == 1)
    }
}
