import Foundation
import SpoolCore
import SpoolDispatch
import TestThreads
import Testing

@testable import SpoolScheduling

/// 10,000 jobs with mixed outputs over a fleet built from recorded nvidia-smi output: 4 × L4, 8 × T4, 2 × H200 and
/// 16 CPU nodes. Jobs arrive, wait, run for a while and finish; after every cycle the fleet's books are checked
/// against an independent tally of what runs where.
@Suite(.cpuBound) struct HeterogeneousFleetTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    struct Kind {
        var preset: String
        var acceleration: Acceleration
        var share: Int
    }

    static let mix = [
        Kind(preset: "web-720p", acceleration: .auto, share: 30),
        Kind(preset: "hls-ladder", acceleration: .auto, share: 20),
        Kind(preset: "web-1080p", acceleration: .nvenc, share: 15),
        Kind(preset: "hevc-1080p", acceleration: .gpu, share: 10),
        Kind(preset: "web-360p", acceleration: .cpu, share: 15),
        Kind(preset: "web-720p", acceleration: .nvenc, share: 10),
    ]

    @Test(arguments: ["seed", "best_fit", "first_fit", "power_of_two"])
    func tenThousandMixedJobsNeverOverbookAnyDevice(profileName: String) throws {
        let records = try Fleets.heterogeneous()
        var fleet = FleetSnapshotBuilder().snapshot(workers: records, holding: [], now: now)
        var cycle = try SchedulingCycle(profile: SchedulingProfile.named(profileName)!, explainLimit: 5)
        var random = SplitMix64(seed: 2026)
        var waiting: [PlacementRequest] = []
        var running: [(id: JobID, placement: JobPlacement, acceleration: Acceleration, endsAt: Int)] = []
        var submitted = 0
        var placed = 0
        var round = 0
        var nvencOnDecodeOnly = 0
        var onDecodeOnly = 0
        var explanationMismatches = 0
        while placed < 10_000 {
            round += 1
            #expect(round < 1_000, "the fleet stopped placing jobs")
            if round >= 1_000 { break }
            for _ in 0..<min(60, 10_000 - submitted) {
                var pick = Int.random(in: 0..<100, using: &random)
                let kind = Self.mix.first {
                    pick -= $0.share; return pick < 0
                }!
                waiting.append(request("j\(submitted)", preset: kind.preset, acceleration: kind.acceleration))
                submitted += 1
            }
            let explain = round % 7 == 0
            let decisions = cycle.run(waiting, on: &fleet, now: now, explain: explain)
            var stillWaiting: [PlacementRequest] = []
            for (request, decided) in zip(waiting, decisions) {
                guard let placement = decided.decision.placement else {
                    stillWaiting.append(request)
                    continue
                }
                placed += 1
                if placement.deviceModel?.contains("H200") ?? false {
                    onDecodeOnly += 1
                    if request.acceleration == .nvenc || placement.demand.encoderSessions > 0 { nvencOnDecodeOnly += 1 }
                }
                if let explanation = decided.explanation {
                    let chosen = explanation.chosen
                    let bestShown = explanation.candidates.compactMap(\.total).max() ?? 0
                    if chosen?.worker != placement.worker || chosen?.gpu != placement.gpu
                        || abs((chosen?.total ?? -1) - placement.score) > 1e-9
                        || (chosen?.total ?? 0) < bestShown - 1e-9
                    {
                        explanationMismatches += 1
                    }
                }
                running.append(
                    (request.job, placement, request.acceleration, round + 1 + Int.random(in: 0..<4, using: &random)))
            }
            waiting = stillWaiting
            try checkBooks(fleet, running: running.map { ($0.id, $0.placement) })
            for job in running where job.endsAt <= round { fleet.release(job.id, placement: job.placement) }
            running.removeAll { $0.endsAt <= round }
        }
        #expect(placed == 10_000)
        #expect(nvencOnDecodeOnly == 0)
        #expect(explanationMismatches == 0)
        // The H200s were used, for the jobs they can serve: decode on NVDEC, encode on the host.
        #expect(onDecodeOnly > 0)
    }

    /// Every device's reservations equal the sum of what runs on it, and none exceeds its capacity.
    func checkBooks(_ fleet: FleetSnapshot, running: [(JobID, JobPlacement)]) throws {
        var sessions: [String: (enc: Int, dec: Int, mem: Int)] = [:]
        var slots: [WorkerID: Int] = [:]
        for (_, placement) in running {
            let key = "\(placement.worker.rawValue)/\(placement.gpu.map(String.init) ?? "host")"
            sessions[key, default: (0, 0, 0)].enc += placement.demand.encoderSessions
            sessions[key, default: (0, 0, 0)].dec += placement.demand.decoderSessions
            sessions[key, default: (0, 0, 0)].mem += placement.demand.gpuMemoryMiB
            slots[placement.worker, default: 0] += 1
        }
        for worker in fleet.workers {
            #expect(worker.assigned == slots[worker.id, default: 0])
            #expect(worker.assigned <= worker.slots)
            if let host = worker.hostEncoderSessions { #expect(host.inUse <= host.capacity) }
            for device in worker.devices {
                let key = "\(worker.id.rawValue)/\(device.gpuIndex.map(String.init) ?? "host")"
                let tally = sessions[key, default: (0, 0, 0)]
                #expect(device.encoderSessions.inUse == tally.enc)
                #expect(device.decoderSessions.inUse == tally.dec)
                #expect(device.encoderSessions.inUse <= device.encoderSessions.capacity)
                #expect(device.decoderSessions.inUse <= device.decoderSessions.capacity)
                if device.kind == .gpu {
                    let ledger = device.memory
                    #expect(ledger.reservedMiB >= tally.mem)
                    #expect(ledger.reservedMiB <= ledger.virtualCapacityMiB)
                    #expect(
                        ledger.reservations.count
                            == running.filter {
                                $0.1.worker == worker.id && $0.1.gpu == device.gpuIndex && $0.1.demand.gpuMemoryMiB > 0
                            }.count)
                }
                if device.engines.nvenc == 0 { #expect(device.encoderSessions.inUse == 0) }
            }
        }
    }
}
