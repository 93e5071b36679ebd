import Foundation
import SpoolCore
import SpoolDispatch
import Testing

@Suite struct DispatchConfigurationTests {
    func decode(_ json: String) throws -> DispatchConfiguration {
        try JSONDecoder().decode(DispatchConfiguration.self, from: Data(json.utf8))
    }

    func decodingError(_ json: String) -> DispatchConfigurationError? {
        do {
            _ = try decode(json)
            return nil
        } catch let error as DispatchConfigurationError {
            return error
        } catch {
            Issue.record("expected a DispatchConfigurationError, got \(error)")
            return nil
        }
    }

    @Test func defaultsAreSaneAndValid() throws {
        let configuration = DispatchConfiguration.default
        try configuration.validate()
        #expect(configuration.policy(for: .realtime) == ServiceClassPolicy.realtime)
        #expect(configuration.policy(for: .realtime).rank == 0)
        #expect(configuration.policy(for: .realtime).reservedShare == 0.2)
        #expect(configuration.policy(for: .realtime).targetWait == 5)
        #expect(configuration.policy(for: .realtime).degradation == .moveToPool("cpu"))
        #expect(configuration.policy(for: .standard).reservedShare == 0.1)
        #expect(configuration.policy(for: .standard).targetWait == 60)
        #expect(configuration.policy(for: .batch).reservedShare == 0)
        #expect(configuration.policy(for: .batch).degradation == .wait)
        #expect(configuration.classesByRank == [.realtime, .standard, .batch])
        #expect(configuration.weight(of: tenant("anyone")) == 1)
        #expect(
            configuration.preemption
                == PreemptionSettings(enabled: true, protectAfterEvictions: 2, protectionSeconds: 600))
        #expect(try decode("{}") == configuration)
    }

    @Test func decodesSnakeCaseKeys() throws {
        let configuration = try decode(
            """
            {
              "classes": {
                "realtime": {"reserved_share": 0.3, "target_wait_seconds": 2,
                             "degradation": {"kind": "move_to_pool", "pool": "opencl"}},
                "batch": {"rank": 5, "degradation": {"kind": "faster_encoding"}}
              },
              "fairness": "lottery",
              "tenant_weights": {"acme": 3, "globex": 0.5},
              "default_tenant_weight": 2,
              "quantum": 60,
              "aging_per_second": 0.5,
              "aging_cap": 150,
              "preemption": {"enabled": false, "protect_after_evictions": 3, "protection_seconds": 120}
            }
            """)
        #expect(
            configuration.policy(for: .realtime)
                == ServiceClassPolicy(rank: 0, reservedShare: 0.3, targetWait: 2, degradation: .moveToPool("opencl")))
        #expect(
            configuration.policy(for: .batch)
                == ServiceClassPolicy(
                    rank: 5, reservedShare: 0, targetWait: 3600, degradation: .fasterEncoding))
        #expect(configuration.policy(for: .standard) == ServiceClassPolicy.standard)
        #expect(configuration.fairness == .lottery)
        #expect(configuration.weight(of: tenant("acme")) == 3)
        #expect(configuration.weight(of: tenant("globex")) == 0.5)
        #expect(configuration.weight(of: tenant("initech")) == 2)
        #expect(configuration.quantum == 60)
        #expect(configuration.agingPerSecond == 0.5)
        #expect(configuration.agingCap == 150)
        #expect(
            configuration.preemption
                == PreemptionSettings(enabled: false, protectAfterEvictions: 3, protectionSeconds: 120))
    }

    @Test func roundTripsThroughJSON() throws {
        let original = try DispatchConfiguration(
            fairness: .roundRobin, tenantWeights: [tenant("acme"): 4], quantum: 30, agingPerSecond: 0.2)
        let data = try JSONEncoder().encode(original)
        #expect(try JSONDecoder().decode(DispatchConfiguration.self, from: data) == original)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"round_robin\""))
        #expect(text.contains("\"kind\":\"move_to_pool\""))
        #expect(text.contains("\"reserved_share\""))
    }

    @Test func degradationPoliciesEncodeWithAKind() throws {
        // Sorted, because the encoder's key order otherwise changes from run to run.
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let encoded = try encoder.encode(DegradationPolicy.moveToPool("cpu"))
        #expect(String(decoding: encoded, as: UTF8.self) == #"{"kind":"move_to_pool","pool":"cpu"}"#)
        let decoded = try JSONDecoder().decode(DegradationPolicy.self, from: Data(#"{"kind":"wait"}"#.utf8))
        #expect(decoded == .wait)
    }

    @Test func rejectsANegativeShare() {
        let error = decodingError(#"{"classes": {"batch": {"reserved_share": -0.1}}}"#)
        #expect(error == .reservedShareOutOfRange(.batch, -0.1))
        #expect(error?.field == "classes.batch.reserved_share")
        #expect(error?.description.contains("use a number from 0 to 1") == true)
    }

    @Test func rejectsSharesAddingUpToMoreThanEverything() {
        let error = decodingError(
            #"{"classes": {"realtime": {"reserved_share": 0.6}, "standard": {"reserved_share": 0.5}}}"#)
        guard case .reservedSharesExceedCapacity(let total) = error else {
            Issue.record("expected reservedSharesExceedCapacity, got \(String(describing: error))")
            return
        }
        #expect(abs(total - 1.1) < 1e-9)
        #expect(error?.description.contains("add up to at most 1") == true)
    }

    @Test func acceptsSharesAddingUpToExactlyOne() throws {
        let configuration = try decode(
            #"{"classes": {"realtime": {"reserved_share": 0.7}, "standard": {"reserved_share": 0.2}, "#
                + #""batch": {"reserved_share": 0.1}}}"#)
        #expect(configuration.policy(for: .batch).reservedShare == 0.1)
    }

    @Test(arguments: [
        (#"{"classes": {"gold": {"rank": 0}}}"#, DispatchConfigurationError.unknownServiceClass("gold")),
        (#"{"fairness": "fifo"}"#, .unknownFairnessAlgorithm("fifo")),
        (#"{"tenant_weights": {"acme": 0}}"#, .tenantWeightNotPositive(TenantID(rawValue: "acme"), 0)),
        (#"{"default_tenant_weight": -1}"#, .defaultTenantWeightNotPositive(-1)),
        (#"{"quantum": 0}"#, .quantumNotPositive(0)),
        (#"{"aging_per_second": -0.5}"#, .agingRateNegative(-0.5)),
        (#"{"aging_cap": 50}"#, .agingCapBelowHighestPriority(50)),
        (#"{"preemption": {"protect_after_evictions": 0}}"#, .protectAfterEvictionsBelowOne(0)),
        (#"{"preemption": {"protection_seconds": -5}}"#, .protectionSecondsNegative(-5)),
        (#"{"classes": {"realtime": {"target_wait_seconds": -1}}}"#, .targetWaitNegative(.realtime, -1)),
        (#"{"classes": {"realtime": {"degradation": {"kind": "panic"}}}}"#, .unknownDegradationKind("panic")),
        (
            #"{"classes": {"realtime": {"degradation": {"kind": "move_to_pool"}}}}"#,
            .missingDegradationTarget(kind: "move_to_pool", key: "pool")
        ),
        (
            #"{"classes": {"standard": {"degradation": {"kind": "move_to_pool", "pool": " "}}}}"#,
            .emptyDegradationTarget(.standard)
        ),
        (
            #"{"classes": {"standard": {"degradation": {"kind": "cheaper_preset", "preset": "web-720p"}}}}"#,
            .outputChangingDegradation("cheaper_preset")
        ),
    ])
    func rejectsNonsenseWithTheFieldToFix(json: String, expected: DispatchConfigurationError) {
        let error = decodingError(json)
        #expect(error == expected)
        #expect(error?.description.hasPrefix(expected.field + ": ") == true)
    }

    @Test func theInitialiserValidatesToo() {
        #expect(throws: DispatchConfigurationError.quantumNotPositive(-1)) {
            try DispatchConfiguration(quantum: -1)
        }
        #expect(throws: DispatchConfigurationError.self) {
            try DispatchConfiguration(policies: [
                .batch: ServiceClassPolicy(rank: 2, reservedShare: .nan, targetWait: 0, degradation: .wait)
            ])
        }
    }
}
