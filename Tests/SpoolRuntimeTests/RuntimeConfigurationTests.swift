import Foundation
import SpoolRuntime
import SpoolWorker
import Testing

@testable import SpoolCommands

/// Settings from flags, or from a file with `--config`, with the environment over either.
@Suite struct RuntimeConfigurationTests {
    func file(_ json: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "spool-config-\(UUID().uuidString).json"
        )
        .path
        try Data(json.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func aFileSetsWhatItNamesAndLeavesTheRestAtTheirDefaults() throws {
        let path = try file(#"{"store": {"data": "/mnt/spool", "redis_shards": 8}, "worker": {"lease_seconds": 45}}"#)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let loaded = try RuntimeConfiguration.load(file: path)
        #expect(loaded.store.data == "/mnt/spool" && loaded.store.redisShards == 8 && loaded.store.redis == nil)
        #expect(loaded.store.maxAttempts == StoreSettings().maxAttempts)
        #expect(loaded.worker.leaseSeconds == 45 && loaded.worker.dispatch == .placed)
    }

    /// The configuration the Kubernetes package ships is one Spool reads (a misspelt key would stop every pod).
    @Test func theKubernetesPackagesConfigurationLoads() throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let shipped = try RuntimeConfiguration.load(
            file: repository.appendingPathComponent("deploy/kubernetes/base/config.json").path)
        #expect(shipped.store.redis == "redis://redis:6379" && shipped.store.storage == "s3://spool-media/spool")
        #expect(shipped.api.host == "0.0.0.0" && shipped.api.port == 8080 && shipped.api.drainSeconds == 10)
        #expect(shipped.worker.shutdownGraceSeconds == 60)
        #expect(shipped.webhooks.secretFile == "/run/secrets/spool-webhook/secret")
    }

    @Test func aMisspeltKeyIsRefusedByName() throws {
        let path = try file(#"{"store": {"redis_shard": 8}}"#)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: RuntimeConfigurationError.unknownKey("store.redis_shard")) {
            try RuntimeConfiguration.load(file: path)
        }
        #expect(throws: RuntimeConfigurationError.unreadable(path: "/no/such/file.json")) {
            try RuntimeConfiguration.load(file: "/no/such/file.json")
        }
    }

    @Test func theEnvironmentOverridesAndBadValuesAreNamed() throws {
        let base = RuntimeConfiguration()
        let overridden = try base.overridden(by: [
            "SPOOL_REDIS": "redis://127.0.0.1:6390", "SPOOL_REDIS_SHARDS": "16", "SPOOL_LEASE_SECONDS": "60",
            "SPOOL_DISPATCH": "pull", "SPOOL_DEDUPLICATE": "false", "HOME": "/root",
        ])
        #expect(overridden.store.redis == "redis://127.0.0.1:6390" && overridden.store.redisShards == 16)
        #expect(overridden.worker.leaseSeconds == 60 && overridden.worker.dispatch == .pull)
        #expect(!overridden.worker.deduplicate)
        #expect(try base.overridden(by: [:]) == base)
        #expect(
            throws: RuntimeConfigurationError.badVariable(
                name: "SPOOL_DISPATCH", value: "push", expected: "placed or pull")
        ) {
            try base.overridden(by: ["SPOOL_DISPATCH": "push"])
        }
        #expect(throws: RuntimeConfigurationError.outOfRange(field: "store.redis_shards", rule: "1…256")) {
            try base.overridden(by: ["SPOOL_REDIS_SHARDS": "0"])
        }
    }

    /// The wiring: `--config` replaces the flags of every section of a real command's options.
    @Test func theCapacityVariablesSetTheWorkersPrice() throws {
        let base = RuntimeConfiguration()
        let overridden = try base.overridden(by: [
            "SPOOL_INSTANCE_TYPE": "g6.xlarge", "SPOOL_CAPACITY_TYPE": "spot", "SPOOL_PRICE_PER_HOUR": "0.32",
            "SPOOL_INSTANCE_CATALOG": "/etc/spool/autoscaler.json",
        ])
        #expect(overridden.worker.instanceType == "g6.xlarge" && overridden.worker.capacityType == .spot)
        #expect(overridden.worker.pricePerHour == 0.32)
        #expect(overridden.worker.instanceCatalog == "/etc/spool/autoscaler.json")
        #expect(throws: RuntimeConfigurationError.self) {
            try base.overridden(by: ["SPOOL_CAPACITY_TYPE": "reserved"])
        }
        #expect(throws: RuntimeConfigurationError.self) {
            try base.overridden(by: ["SPOOL_PRICE_PER_HOUR": "-1"])
        }
    }

    @Test func theConfigFileReplacesTheFlags() throws {
        let path = try file(#"{"store": {"data": "/mnt/from-file", "max_attempts": 7}, "api": {"port": 9090}}"#)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let withFile = try StoreOptions.parse(["--config", path, "--data", "/ignored"])
        var flags = WorkerSettings()
        flags.leaseSeconds = 99
        var apiFlags = APISettings()
        apiFlags.port = 1234
        apiFlags.drainSeconds = 9
        let runtime = try withFile.runtime(RuntimeConfiguration(worker: flags, api: apiFlags))
        #expect(runtime.store.data == "/mnt/from-file" && runtime.store.maxAttempts == 7)
        #expect(runtime.worker == WorkerSettings(), "the file's (absent) worker section, not the flags")
        #expect(runtime.api.port == 9090 && runtime.api.drainSeconds == APISettings().drainSeconds)
        let withFlags = try StoreOptions.parse(["--data", "/srv/flags", "--max-attempts", "4"])
        let fromFlags = try withFlags.runtime(RuntimeConfiguration(worker: flags))
        #expect(fromFlags.store.data == "/srv/flags" && fromFlags.store.maxAttempts == 4)
        #expect(fromFlags.worker.leaseSeconds == 99)
    }
}
