import Foundation
import SpoolAutoscaling
import SpoolCore
import TestThreads
import Testing

@testable import SpoolSimulation

/// A fleet over two clouds: each pool scaled by its own autoscaler, jobs attributed and pinned by the production
/// `PoolDemand`, cost reported per provider.
@Suite(.cpuBound) struct TwoCloudsTests {
    /// The built-in two clouds at the scale of the small diurnal workload; `awsWorkers` bounds the AWS pool.
    static func clouds(awsWorkers: Int = 20, gcpWorkers: Int = 20) -> CloudFleet {
        var cloud = CloudFleet.awsAndGCP
        cloud.pools[0].fleet.maxWorkers = awsWorkers
        cloud.pools[0].fleet.minWorkers = 1
        cloud.pools[1].fleet.maxWorkers = gcpWorkers
        cloud.pools[1].fleet.minWorkers = 1
        return cloud
    }

    static func run(_ cloud: CloudFleet, policies: [ScalingPolicy] = [.hpa, .predictiveCost]) throws
        -> SimulationReport
    {
        try Simulator(
            workload: SmallWorkloads.diurnal(seed: 3), settings: SmallWorkloads.settings(seed: 3), cloud: cloud
        ).run(policies: policies)
    }

    @Test func eachProvidersCostAddsUpToThePolicysCost() throws {
        let report = try Self.run(Self.clouds())
        #expect(report.cloud == Self.clouds())
        #expect(report.packing == nil)
        for policy in report.policies {
            let providers = try #require(policy.providers)
            #expect(providers.map(\.provider) == ["aws", "gcp"])
            #expect(abs(providers.reduce(0) { $0 + $1.cost } - policy.cost) < 1e-6)
            #expect(abs(providers.reduce(0) { $0 + $1.gpuHours } - policy.gpuHours) < 1e-6)
            #expect(providers.allSatisfy { $0.gpuHours > 0 && $0.attempts > 0 }, "both clouds ran work")
            #expect(providers.reduce(0) { $0 + $1.attempts } >= policy.jobsCompleted)
        }
        let cost = try #require(report.policies.first { $0.policy == ScalingPolicy.predictiveCost.name })
        #expect(cost.providers!.allSatisfy { $0.spotShare > 0.5 }, "the cost policy buys spot in both clouds")
    }

    @Test func inputsThatCostMoneyToMoveStayInTheirCloudWhileItHasRoom() throws {
        let report = try Self.run(Self.clouds(awsWorkers: 200, gcpWorkers: 200))
        for policy in report.policies {
            let providers = try #require(policy.providers)
            #expect(providers.allSatisfy { $0.egressCost == 0 }, "\(policy.policy) moved a costly input")
            // Inputs in R2 move for free, and do run in both clouds.
            #expect(providers.reduce(0) { $0 + $1.attemptsWithRemoteInput } > 0)
        }
    }

    @Test func whenItsCloudIsFullAJobMovesAndItsEgressIsCharged() throws {
        let report = try Self.run(Self.clouds(awsWorkers: 1, gcpWorkers: 40), policies: [.hpa])
        let providers = try #require(report.policies.first?.providers)
        let aws = try #require(providers.first { $0.provider == "aws" })
        #expect(aws.egressCost > 0, "AWS inputs left for GCP once the one AWS worker was full")
        let gcp = try #require(providers.first { $0.provider == "gcp" })
        #expect(gcp.attemptsWithRemoteInput > 0)
        #expect(report.policies[0].jobsUnfinished == 0)
    }

    @Test func theSameSeedGivesTheSameReportAndOnePoolReportsNoProviders() throws {
        #expect(try Self.run(Self.clouds()) == (try Self.run(Self.clouds())))
        let single = try Simulator(
            workload: SmallWorkloads.diurnal(seed: 3), fleet: SmallWorkloads.diurnalFleet,
            settings: SmallWorkloads.settings(seed: 3)
        ).run(policies: [.hpa])
        #expect(single.policies[0].providers == nil && single.cloud == nil)
    }

    @Test func eachPoolIsExpectedToCarryItsCloudsInputsAndAPartOfTheFreeOnes() {
        let shares = PolicySimulation.shares(of: .awsAndGCP)
        #expect(abs(shares[0] - 0.65) < 1e-9 && abs(shares[1] - 0.35) < 1e-9)
    }
}

/// `spool simulate --clouds FILE`: the shipped example is the built-in two clouds, a fleet may leave fields out, and a
/// broken one says which field is wrong.
@Suite(.cpuBound) struct CloudFleetFileTests {
    static let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("deploy/simulate-clouds.example.json")

    @Test func theShippedExampleIsTheBuiltInTwoClouds() throws {
        let fleet = try JSONDecoder().decode(CloudFleet.self, from: Data(contentsOf: Self.example))
        #expect(fleet.problem == nil)
        #expect(fleet == .awsAndGCP)
    }

    @Test func theBuiltInFleetRoundTripsThroughJSON() throws {
        let data = try JSONEncoder().encode(CloudFleet.awsAndGCP)
        #expect(try JSONDecoder().decode(CloudFleet.self, from: data) == .awsAndGCP)
    }

    @Test func aBrokenFleetSaysWhichFieldIsWrong() {
        var fleet = CloudFleet.awsAndGCP
        fleet.inputs[0].share = 0.9
        #expect(fleet.problem?.hasPrefix("inputs: shares must be 0 or more and add up to 1") == true)
        fleet = .awsAndGCP
        fleet.pools[1].name = "aws-l4"
        #expect(fleet.problem == "pools: names must be unique")
        fleet = .awsAndGCP
        fleet.pools[0].fleet.minWorkers = 200
        #expect(fleet.problem?.hasPrefix("pools.aws-l4:") == true)
        fleet = .awsAndGCP
        fleet.egressPerGB["gcp"] = -1
        #expect(fleet.problem == "egress_per_gb.gcp: must be 0 or more")
    }
}
