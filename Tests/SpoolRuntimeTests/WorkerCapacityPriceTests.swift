import Foundation
import Logging
import SpoolCore
import Testing

@testable import SpoolRuntime

/// Where a worker's price comes from: its flags, its managed pool, and the catalog of the autoscaler's file.
@Suite struct WorkerCapacityPriceTests {
    func assembly(_ edit: (inout RuntimeConfiguration) -> Void) throws -> (ProcessAssembly, cleanUp: () -> Void) {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("spool-price-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        let catalog = data.appendingPathComponent("autoscaler.json")
        let json =
            #"{"catalog": [{"name": "g6.xlarge", "price_per_hour": 0.805, "spot_price_per_hour": 0.32, "#
            + #""boot_seconds": 180, "gpus_per_instance": 1, "job_slots": 2, "watts": 120}]}"#
        try Data(json.utf8).write(to: catalog)
        var configuration = RuntimeConfiguration()
        configuration.store.data = data.path
        configuration.controlPlane.autoscalerConfig = catalog.path
        edit(&configuration)
        let assembly = ProcessAssembly(
            configuration: configuration, opened: try OpenedStore.open(configuration), environment: [:],
            logger: Logger(label: "price-test"), announce: { _ in })
        return (assembly, { try? FileManager.default.removeItem(at: data) })
    }

    @Test func aManagedSpotPoolPaysTheCatalogsSpotPrice() throws {
        let (assembly, cleanUp) = try assembly { _ in }
        defer { cleanUp() }
        let pool = PoolSpec(
            name: "gpu", kind: .cuda, maxWorkers: 4, instanceType: "g6.xlarge", spot: true, createdAt: Date())
        let price = try assembly.capacityPrice(managed: pool)
        #expect(price == CapacityPrice(instanceType: "g6.xlarge", capacityType: .spot, pricePerHour: 0.32, watts: 120))
        // Without a pool or flags, nothing names the instance: the price is unknown.
        #expect(try assembly.capacityPrice(managed: nil) == nil)
    }

    @Test func theFlagsWinOverThePool() throws {
        let (assembly, cleanUp) = try assembly { configuration in
            configuration.worker.capacityType = .onDemand
        }
        defer { cleanUp() }
        let pool = PoolSpec(
            name: "gpu", kind: .cuda, maxWorkers: 4, instanceType: "g6.xlarge", spot: true, createdAt: Date())
        #expect(try assembly.capacityPrice(managed: pool)?.pricePerHour == 0.805)
    }

    @Test func aCatalogThatDoesNotLoadStopsTheStart() throws {
        let (assembly, cleanUp) = try assembly { configuration in
            configuration.worker.instanceType = "g6.xlarge"
            configuration.worker.instanceCatalog = "/nonexistent/catalog.json"
        }
        defer { cleanUp() }
        #expect(throws: StartupError.self) { try assembly.capacityPrice(managed: nil) }
    }
}
