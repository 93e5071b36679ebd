import Foundation
import SpoolCore
import Testing

@testable import SpoolScheduling

/// A caller may hand the planner its own survey of the held jobs (`PlacementView.heldSurvey`) instead of having
/// them counted: kept right, it is what the planner counts, and the plan is the same.
struct HeldSurveyTests {
    let now = Date(timeIntervalSince1970: 1_000_000)

    /// Running jobs of every class on two full workers, one of them past its transcode (it holds no capacity).
    func heldJobs() -> (fleet: FleetSnapshot, holding: [HeldJob], counts: PerServiceClass<Int>) {
        let classes: [ServiceClass] = [.realtime, .standard, .batch, .batch, .standard, .batch, .batch]
        var holding: [HeldJob] = []
        var counts = PerServiceClass(0)
        for (index, serviceClass) in classes.enumerated() {
            let placement = JobPlacement(
                worker: WorkerID(rawValue: "w\(index % 2)"), pool: "cuda", gpu: 0, deviceModel: "NVIDIA L4",
                demand: ResourceDemand(gpuMemoryMiB: 1_000, encoderSessions: 1, decoderSessions: 1, slots: 1),
                score: 0, placedAt: now.addingTimeInterval(-600))
            var job = HeldJob(
                id: JobID(rawValue: "held-\(index)"), tenant: TenantID(rawValue: "t\(index % 3)"),
                serviceClass: serviceClass, priority: 50, placement: placement, isRunning: true,
                startedAt: now.addingTimeInterval(-300))
            job.isPastTranscode = index == 6
            if !job.isPastTranscode { counts[serviceClass] += 1 }
            holding.append(job)
        }
        let workers = (0..<2).map { worker("w\($0)", slots: 4, assigned: 4, gpuDevice(model: "NVIDIA L4")) }
        return (FleetSnapshot(workers: workers, takenAt: now), holding, counts)
    }

    @Test func aKeptSurveyIsWhatThePlannerCounts() {
        let (fleet, holding, counts) = heldJobs()
        let counted = PlacementPlanner.survey(holding, fleet: fleet)
        #expect(counted == HeldSurvey(occupying: counts))
        #expect(counted.occupyingByClass == [.realtime: 1, .standard: 2, .batch: 3])
        // Classes with none are left out, as the planner's own count leaves them out.
        #expect(HeldSurvey(occupying: PerServiceClass(0)).occupyingByClass.isEmpty)
    }

    /// A realtime job that fits nowhere on the full fleet preempts the same batch job either way.
    @Test func aPlanWithTheKeptSurveyIsThePlanWithout() throws {
        let (fleet, holding, counts) = heldJobs()
        let waiting = [
            QueuedJob(
                id: JobID(rawValue: "urgent"), version: 0, tenant: TenantID(rawValue: "t0"), serviceClass: .realtime,
                priority: 50, pool: nil, acceleration: .auto, preset: "web-720p",
                shape: WorkloadShape(
                    spec: JobSpec(
                        input: .file(path: "/in/urgent.mp4"), outputs: Presets.named("web-720p")!.outputs,
                        preset: "web-720p")),
                input: "", createdAt: now.addingTimeInterval(-120))
        ]
        func plan(_ survey: HeldSurvey?) throws -> PlacementPlan {
            var planner = PlacementPlanner(
                cycle: try SchedulingCycle(profile: .bestFit, explainLimit: 0, seed: 1),
                settings: PlannerSettings(explanationRefresh: nil))
            var fleet = fleet
            return planner.plan(
                PlacementView(now: now, waiting: waiting, holding: holding, heldSurvey: survey), fleet: &fleet)
        }
        let counted = try plan(nil)
        #expect(!counted.preemptions.isEmpty)
        #expect(try plan(HeldSurvey(occupying: counts)) == counted)
    }
}
