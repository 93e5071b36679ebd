import Foundation
import SpoolAutoscaling
import SpoolCore
import SpoolPools
import Testing

@Suite("Batch work across clouds")
struct BatchRoutingTests {
    let t0 = Date(timeIntervalSince1970: 1_700_000_000)

    /// Inputs live in AWS; AWS sells its L4 on-demand here, GCP has cheaper spot L4s but egress out of AWS costs.
    func settings(assumedInputGB: Double) -> AutoscalerSettings {
        AutoscalerSettings(
            catalog: [
                InstanceType(
                    name: "g6.xlarge", pricePerHour: 0.805, spotPricePerHour: 0.32, bootSeconds: 180,
                    gpusPerInstance: 1,
                    jobSlots: 8, provider: "aws"),
                InstanceType(
                    name: "g2-standard-8", pricePerHour: 0.85, spotPricePerHour: 0.22, bootSeconds: 150,
                    gpusPerInstance: 1, jobSlots: 8, provider: "gcp"),
            ],
            egressPerGB: ["aws": 0.09, "gcp": 0.12],
            inputLocations: [InputLocation(prefix: "s3://media/", provider: "aws")], assumedInputGB: assumedInputGB)
    }

    var pools: [PoolSpec] {
        [
            PoolSpec(name: "aws-l4", kind: .cuda, maxWorkers: 10, createdAt: t0, provider: "aws", region: "us-east-1"),
            PoolSpec(
                name: "gcp-l4", kind: .cuda, maxWorkers: 2, spot: true, createdAt: t0, provider: "gcp",
                region: "us-central1"),
        ]
    }

    func job(_ id: String, _ serviceClass: ServiceClass, input: String = "s3://media/film.mp4") -> QueuedJob {
        QueuedJob(
            id: JobID(rawValue: id), version: 1, tenant: .default, serviceClass: serviceClass, priority: 50, pool: nil,
            acceleration: .auto, preset: "web-360p",
            shape: WorkloadShape(
                spec: JobSpec(input: .file(path: "/in.mp4"), outputs: Presets.named("web-360p")!.outputs)),
            input: input, createdAt: t0)
    }

    @Test func aLongBatchJobWithASmallInputGoesWhereComputeIsCheapest() throws {
        // Two hours on a slot: AWS on-demand 0.805 / 8 × 2 = 0.20; GCP spot 0.22 / 8 × 2 = 0.055 + 0.05 GB × 0.09.
        let routing = try #require(settings(assumedInputGB: 0.05).batchRouting(for: pools, jobSeconds: 7_200))
        let aws = try #require(routing.cost(of: "s3://media/film.mp4", in: "aws-l4"))
        let gcp = try #require(routing.cost(of: "s3://media/film.mp4", in: "gcp-l4"))
        #expect(abs(aws.compute - 0.20125) < 1e-9 && aws.transfer == 0)
        #expect(abs(gcp.compute - 0.055) < 1e-9 && abs(gcp.transfer - 0.0045) < 1e-9)
        let attributed = PoolDemand.attribute([job("b", .batch)], to: pools, workers: [], routing: routing)
        #expect(attributed["gcp-l4"]?.map(\.id.rawValue) == ["b"])
    }

    @Test func aTransferThatCostsMoreThanItSavesKeepsTheJobWhereItsInputIs() throws {
        // 2 GB out of AWS is 0.18, more than the 0.146 the cheaper compute saves.
        let routing = try #require(settings(assumedInputGB: 2).batchRouting(for: pools, jobSeconds: 7_200))
        let attributed = PoolDemand.attribute([job("b", .batch)], to: pools, workers: [], routing: routing)
        #expect(attributed["aws-l4"]?.map(\.id.rawValue) == ["b"])
        // An input stored nowhere the configuration knows moves for free, so compute alone decides.
        let unknown = PoolDemand.attribute(
            [job("u", .batch, input: "https://cdn.example/film.mp4")], to: pools, workers: [], routing: routing)
        #expect(unknown["gcp-l4"]?.map(\.id.rawValue) == ["u"])
    }

    @Test func aPoolThatCannotTakeTheJobInTimeIsNotACandidate() throws {
        // The GCP pool has 2 workers of 8 slots at most: the 17th batch job would wait past its SLO there.
        let routing = try #require(settings(assumedInputGB: 0.05).batchRouting(for: pools, jobSeconds: 7_200))
        let jobs = (0..<20).map { job("b\($0)", .batch) }
        let attributed = PoolDemand.attribute(jobs, to: pools, workers: [], routing: routing)
        #expect(attributed["gcp-l4"]?.count == 16)
        #expect(attributed["aws-l4"]?.count == 4)
    }

    @Test func onlyBatchWorkIsRoutedByPrice() throws {
        let routing = try #require(settings(assumedInputGB: 0.05).batchRouting(for: pools, jobSeconds: 7_200))
        let jobs = [job("rt", .realtime), job("std", .standard)]
        let routed = PoolDemand.attribute(jobs, to: pools, workers: [], routing: routing)
        let plain = PoolDemand.attribute(jobs, to: pools, workers: [])
        #expect(routed == plain)
    }

    @Test func withoutEgressPricesThereIsNothingToWeigh() {
        #expect(
            AutoscalerSettings(catalog: settings(assumedInputGB: 1).catalog).batchRouting(for: pools, jobSeconds: 600)
                == nil)
    }

    @Test func aPoolPricesItselfFromItsProvidersEntries() {
        let settings = settings(assumedInputGB: 1)
        #expect(settings.catalogTypes(for: pools[0]).map(\.name) == ["g6.xlarge"])
        #expect(settings.catalogTypes(for: pools[1]).map(\.name) == ["g2-standard-8"])
        #expect(settings.policy(for: pools[1]).cost?.catalog.types.map(\.name) == ["g2-standard-8"])
    }

    @Test func aRegionNeedsAProviderAndBothArePlainNames() {
        let regionAlone = PoolRequest(name: "p", kind: .cuda, maxWorkers: 1, region: "us-east-1")
        #expect(throws: SpecError.self) { try regionAlone.validated(now: t0, instanceTypes: nil) }
        do {
            _ = try regionAlone.validated(now: t0, instanceTypes: nil)
        } catch {
            #expect(error.field == "region")
        }
        let shouting = PoolRequest(name: "p", kind: .cuda, maxWorkers: 1, provider: "AWS")
        #expect(throws: SpecError.self) { try shouting.validated(now: t0, instanceTypes: nil) }
        let fine = PoolRequest(name: "p", kind: .cuda, maxWorkers: 1, provider: "gcp", region: "us-central1")
        #expect((try? fine.validated(now: t0, instanceTypes: nil))?.region == "us-central1")
    }
}

/// Where a job whose input is costly to move may run: the placement service and the attribution pin it alike.
@Suite("Inputs that cost money to move")
struct InputCloudPinningTests {
    let routingTests = BatchRoutingTests()

    func pinned(
        _ jobs: [QueuedJob], gigabytes: Double, jobSeconds: Double = 600, running: [String: Int] = [:]
    ) throws -> [String: String?] {
        let routing = try #require(
            routingTests.settings(assumedInputGB: gigabytes).batchRouting(
                for: routingTests.pools, jobSeconds: jobSeconds))
        let result = PoolDemand.pinnedToInputCloud(
            jobs, pools: routingTests.pools, running: running, routing: routing)
        return Dictionary(uniqueKeysWithValues: result.map { ($0.id.rawValue, $0.pool) })
    }

    @Test func aJobWhoseInputIsCostlyToMoveRunsInItsOwnCloud() throws {
        // 2 GB out of AWS is $0.18; ten minutes on a slot cost at most $0.017 anywhere: no saving is worth it.
        let pins = try pinned(
            [
                routingTests.job("rt", .realtime), routingTests.job("batch", .batch),
                routingTests.job("cdn", .realtime, input: "https://cdn.example/film.mp4"),
            ], gigabytes: 2)
        #expect(pins["rt"] == "aws-l4")
        #expect(pins["batch"] == "aws-l4")
        #expect(pins["cdn"] == .some(nil), "an input that moves for free runs anywhere")
    }

    @Test func whenItsCloudIsFullTheJobMovesRatherThanWaitPastItsSLO() throws {
        // The AWS pool runs 80 jobs: all of its 10 workers × 8 slots.
        let pins = try pinned(
            [routingTests.job("rt", .realtime), routingTests.job("batch", .batch)], gigabytes: 2,
            running: ["aws-l4": 80])
        #expect(pins["rt"] == "gcp-l4")
        #expect(pins["batch"] == "gcp-l4")
    }

    @Test func aMoveThatIsWorthItLeavesRealtimeWorkFreeAndSendsBatchWhereItIsCheapest() throws {
        // Two hours on a slot with a 50 MB input: GCP's spot compute saves more than the transfer costs.
        let pins = try pinned(
            [routingTests.job("rt", .realtime), routingTests.job("batch", .batch)], gigabytes: 0.05,
            jobSeconds: 7_200)
        #expect(pins["rt"] == .some(nil), "both clouds are worth it, so it starts wherever a slot frees first")
        #expect(pins["batch"] == "gcp-l4")
    }

    @Test func theAttributionGrowsThePoolTheJobCanRunIn() throws {
        let routing = try #require(
            routingTests.settings(assumedInputGB: 2).batchRouting(for: routingTests.pools, jobSeconds: 600))
        // Without the pin, the realtime job would count for the least loaded pool: GCP, idle here.
        let attributed = PoolDemand.attribute(
            [routingTests.job("rt", .realtime)], to: routingTests.pools, running: ["aws-l4": 40], routing: routing)
        #expect(attributed["aws-l4"]?.map(\.id.rawValue) == ["rt"])
        let unrouted = PoolDemand.attribute(
            [routingTests.job("rt", .realtime)], to: routingTests.pools, running: ["aws-l4": 40])
        #expect(unrouted["gcp-l4"]?.map(\.id.rawValue) == ["rt"])
    }
}
