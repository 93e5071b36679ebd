import Foundation
import SpoolCore
import SpoolScheduling
import SpoolSimulation
import Testing

@testable import SpoolPlacement

/// `spool simulate` runs the scheduler production runs: one view of a busy cluster, read from a store by the
/// placement service, gives the same plan (placements, preemptions, degradations, explanations) from the service
/// and from the simulator's planner.
@Suite struct OnePlannerEverywhereTests {
    @Test(arguments: StoreKind.allCases) func theServiceAndTheSimulatorMakeIdenticalPlans(_ kind: StoreKind)
        async throws
    {
        let t = try await PlacementFixture(kind)
        defer { t.stop() }
        let store = t.store
        let now = t.now
        // One CPU slot, taken by a running batch job; an L4 with room.
        let cpu = try await t.register("c1", gpus: nil, kind: .cpu, slots: 1)
        _ = try await t.register("l4", gpus: "l4-2x.csv", slots: 2)
        func submitToCPU(_ preset: String, _ serviceClass: ServiceClass, tenant: String) async throws -> Job {
            try await store.submit(
                JobSpec(
                    tenant: TenantID(rawValue: tenant), serviceClass: serviceClass, input: .file(path: "/in/clip.mp4"),
                    outputs: Presets.named(preset)!.outputs, pool: "cpu", preset: preset, acceleration: .cpu),
                now: now
            ).job
        }
        let batch = try await submitToCPU("web-720p", .batch, tenant: "archive")
        _ = try await t.cycle(token: 1, now: now)
        #expect(
            try await store.claimPlaced(worker: cpu, pool: "cpu", leaseDuration: .seconds(300), now: now)?.id
                == batch.id)
        // Waiting: a realtime CPU job (fits nowhere but where the batch job runs: a preemption), standard CPU jobs of
        // two tenants waiting past their target (degradations), and GPU work that fits (placements).
        _ = try await submitToCPU("web-720p", .realtime, tenant: "news")
        for tenant in ["acme", "hobby"] {
            _ = try await submitToCPU("web-360p", .standard, tenant: tenant)
            _ = try await t.submit("hls-ladder", tenant: tenant)
        }
        let later = now.addingTimeInterval(90)
        // Refresh the workers' heartbeats, as live workers would have.
        for worker in try await store.workers() {
            var alive = worker
            alive.heartbeatAt = later
            try await store.upsertWorker(alive)
        }

        // The view the service reads, handed to the simulator's planner built from the same configuration.
        var reading = t.state
        let (view, fleet) = try #require(try await t.service.readView(&reading, token: 1, now: later))
        let configuration = t.service.configuration
        var simulated = try SimulatedPlacement.makePlanner(
            profile: configuration.profile, dispatch: configuration.dispatch, seed: 0x5900_1ED,
            explanationRefresh: configuration.explanationRefresh)
        simulated.cycle.estimator = t.state.planner.cycle.estimator
        simulated.cycle.schedulerToken = 2
        var simulatedFleet = fleet
        let simulatedPlan = simulated.plan(view, fleet: &simulatedFleet)

        let report = try await t.cycle(token: 2, now: later)
        let servicePlan = try #require(report.plan)
        #expect(servicePlan == simulatedPlan)
        // The plan is not trivially empty: it places, preempts and degrades.
        #expect(!servicePlan.placements.isEmpty)
        #expect(servicePlan.preemptions.map(\.victim) == [batch.id])
        #expect(!servicePlan.degradations.isEmpty)
        #expect(servicePlan.degradations.allSatisfy { $0.degradation.encoderSpeed == .faster })
        #expect(report.committed == servicePlan.placements.count && report.evicted == 1)
        #expect(report.degraded == servicePlan.degradations.count)
        for planned in servicePlan.degradations {
            let job = try #require(try await store.job(planned.job))
            #expect(job.encoderSpeed == .faster && job.degradations.count == 1)
        }
    }
}
