import Foundation
import SpoolAutoscaling
import SpoolCore
import Testing

/// The placement service never runs a job where moving its input costs more than it saves: a pool per cloud, one
/// AWS worker with one slot and an idle GCP worker with eight, inputs in AWS (2 GB, $0.09/GB to move out) and in a
/// store that charges nothing to move from.
@Suite struct InputCloudPlacementTests {
    static let t0 = Date(timeIntervalSince1970: 1_700_000_000)

    /// What the pool manager's settings would give for these pools: on-demand L4 prices per slot, egress prices,
    /// where inputs live.
    static let routing: @Sendable ([PoolSpec]) -> BatchRouting? = { pools in
        let hourly = ["aws": 0.805, "gcp": 0.71]
        var prices: [String: BatchRouting.PoolPrice] = [:]
        for pool in pools {
            guard let provider = pool.provider, let price = hourly[provider] else { continue }
            prices[pool.name] = BatchRouting.PoolPrice(
                provider: provider, pricePerSlotHour: price / 8, slotsAtMaximum: 8 * pool.maxWorkers)
        }
        return BatchRouting(
            pools: prices, egressPerGB: ["aws": 0.09, "gcp": 0.12, "cloudflare": 0],
            inputLocations: [
                InputLocation(prefix: "file:///aws/", provider: "aws"),
                InputLocation(prefix: "file:///r2/", provider: "cloudflare"),
            ], assumedInputGB: 2, jobSeconds: BatchRouting.assumedJobSeconds)
    }

    /// Places two AWS-stored jobs, then one free-to-move job; returns the worker each went to (nil: still waiting).
    func place(_ kind: StoreKind, routing: (@Sendable ([PoolSpec]) -> BatchRouting?)?) async throws -> [String?] {
        let t = try await PlacementFixture(kind, inputRouting: routing)
        defer { t.stop() }
        for (name, provider) in [("aws-l4", "aws"), ("gcp-l4", "gcp")] {
            try await t.store.createPool(
                PoolSpec(name: name, kind: .cpu, maxWorkers: 4, createdAt: Self.t0, provider: provider))
        }
        _ = try await t.register("aws-1", gpus: nil, kind: .cpu, slots: 1, pool: "aws-l4")
        _ = try await t.register("gcp-1", gpus: nil, kind: .cpu, slots: 8, pool: "gcp-l4")
        let first = try await t.submit("web-360p", input: .file(path: "/aws/a.mp4"))
        let second = try await t.submit("web-360p", input: .file(path: "/aws/b.mp4"))
        _ = try await t.cycle(token: 1, now: t.now)
        let free = try await t.submit("web-360p", input: .file(path: "/r2/c.mp4"))
        _ = try await t.cycle(token: 1, now: t.now.addingTimeInterval(1))
        var workers: [String?] = []
        for job in [first, second, free] {
            workers.append(try await t.store.job(job.id)?.placement?.worker.rawValue)
        }
        return workers
    }

    @Test(arguments: StoreKind.allCases) func aJobWaitsInItsInputsCloudRatherThanMoveTwoGigabytes(_ kind: StoreKind)
        async throws
    {
        let placed = try await place(kind, routing: Self.routing)
        #expect(
            Set(placed[0...1]) == ["aws-1", nil],
            "one AWS job takes the AWS slot, the other waits for it (or a new AWS worker)")
        #expect(placed[2] == "gcp-1", "an input that moves for free runs on any free slot")
    }

    @Test func withoutEgressPricesTheSecondJobTakesTheFreeSlotInTheOtherCloud() async throws {
        let placed = try await place(.memory, routing: nil)
        #expect(Set(placed[0...1]) == ["aws-1", "gcp-1"])
        #expect(placed[2] == "gcp-1")
    }
}
