import Foundation
import SpoolCore
import SpoolMedia
import Testing

@testable import SpoolScheduling

/// The placement records the path the cycle chose, so the worker runs it rather than guessing it back.
@Suite struct PlacementPathTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func place(_ request: PlacementRequest, on records: [WorkerRecord]) throws -> JobPlacement? {
        var fleet = FleetSnapshotBuilder().snapshot(workers: records, holding: [], now: now)
        var cycle = try SchedulingCycle()
        guard case .placed(let placement) = cycle.place(request, in: &fleet, now: now).decision else { return nil }
        return placement
    }

    @Test func anL4IsPlacedOnNVENCAndAnH200OnNVDEC() throws {
        let l4 = Fleets.record("l4", pool: "l4", kind: .cuda, gpus: try Fleets.gpus("l4-2x.csv"), slots: 8)
        let h200 = Fleets.record(
            "h200", pool: "h200", kind: .cuda, gpus: try Fleets.gpus("h200-hgx-8x.csv", first: 2), slots: 8)
        let onL4 = try #require(try place(request("a", pool: "l4"), on: [l4, h200]))
        #expect(onL4.path == .nvenc && onL4.gpu != nil && onL4.demand.encoderSessions > 0)
        let onH200 = try #require(try place(request("b", pool: "h200"), on: [l4, h200]))
        #expect(onH200.path == .nvdec && onH200.gpu != nil && onH200.demand.encoderSessions == 0)
        // Asking for the GPU takes the same paths; a CPU job lands on a CPU worker's host.
        #expect(try place(request("c", acceleration: .gpu, pool: "h200"), on: [l4, h200])?.path == .nvdec)
        let cpu = Fleets.record("cpu", pool: "cpu", kind: .cpu, gpus: [], slots: 4)
        let onCPU = try #require(try place(request("d", acceleration: .cpu), on: [l4, h200, cpu]))
        #expect(onCPU.path == .cpu && onCPU.gpu == nil)
    }

    @Test func anOpenCLWorkerIsPlacedOnTheOpenCLPath() throws {
        let opencl = Fleets.record("ocl", pool: "opencl", kind: .opencl, gpus: [], slots: 4)
        let placement = try #require(try place(request("a", pool: "opencl"), on: [opencl]))
        #expect(placement.path == .opencl && placement.gpu == nil)
    }

    @Test func theWorkerRunsThePathItWasPlacedOn() throws {
        let records = [
            Fleets.record("l4", pool: "l4", kind: .cuda, gpus: try Fleets.gpus("l4-2x.csv"), slots: 8),
            Fleets.record(
                "h200", pool: "h200", kind: .cuda, gpus: try Fleets.gpus("h200-hgx-8x.csv", first: 2), slots: 8),
        ]
        for (pool, nvenc) in [("l4", true), ("h200", false)] {
            let placement = try #require(try place(request(pool, pool: pool), on: records))
            let inventory = try #require(records.first { $0.pool == pool }?.devices)
            #expect(
                EncodePathChooser.choose(pool: .cuda, inventory: inventory, placement: placement)
                    == .success(.cuda(gpuIndex: placement.gpu!, nvenc: nvenc)))
        }
    }
}
