import Foundation
import Hummingbird
import HummingbirdTesting
import SpoolActuators
import Testing

/// The Kubernetes actuator over real HTTP against the contract test server: scale up, scale in with the chosen pods
/// marked cheapest to delete, a conflicting writer, and the errors an operator would need to act on.
@Suite struct KubernetesScaleActuatorTests {
    func withActuator(
        _ server: KubernetesContractServer, token: String? = nil,
        _ body: @Sendable @escaping (KubernetesScaleActuator) async throws -> Void
    ) async throws {
        let tokenFile = FileManager.default.temporaryDirectory.appendingPathComponent("k8s-token-\(UUID().uuidString)")
        try Data((token ?? server.token).utf8).write(to: tokenFile)
        defer { try? FileManager.default.removeItem(at: tokenFile) }
        let app = Application(router: server.router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let actuator = KubernetesScaleActuator(
                configuration: .init(
                    apiServer: URL(string: "http://127.0.0.1:\(port)")!, namespace: server.namespace,
                    deploymentTemplate: "spool-worker-{pool}", tokenFile: tokenFile.path,
                    // The contract server runs in this test process, which shares two cores with the whole suite.
                    requestTimeout: .seconds(90)))
            try await body(actuator)
        }
    }

    @Test func scalesTheDeploymentAndMarksDrainedPodsCheapestToDelete() async throws {
        let server = KubernetesContractServer(token: "t0k3n", namespace: "video", deployments: ["spool-worker-l4": 1])
        try await withActuator(server) { actuator in
            #expect(try await actuator.workerCount(pool: "l4") == 1)
            try await actuator.scaleUp(pool: "l4", by: 3)
            #expect(server.replicas("spool-worker-l4") == 4)

            try await actuator.drain(
                pool: "l4",
                workers: [
                    WorkerAddress(host: "spool-worker-l4-abc", pid: 1), .init(host: "spool-worker-l4-def", pid: 1),
                ])
            #expect(server.replicas("spool-worker-l4") == 2)
            let marked = server.podAnnotations.withLock { $0 }
            #expect(Set(marked.keys) == ["spool-worker-l4-abc", "spool-worker-l4-def"])
            #expect(marked["spool-worker-l4-abc"]?["controller.kubernetes.io/pod-deletion-cost"] == "-1000")

            try await actuator.releaseAll(pool: "l4")
            #expect(server.replicas("spool-worker-l4") == 0)
        }
    }

    /// A pool with a spot part: one Deployment per capacity type, each scaled and drained on its own.
    @Test func aPoolWithASpotPartScalesOneDeploymentPerCapacityType() async throws {
        let server = KubernetesContractServer(
            token: "t", namespace: "video", deployments: ["spool-worker-gpu-spot": 1, "spool-worker-gpu-on-demand": 0])
        try await withActuator(server) { actuator in
            try await actuator.scaleUp(pool: "gpu", by: 2, capacity: .spot)
            try await actuator.scaleUp(pool: "gpu", by: 1, capacity: .onDemand)
            #expect(server.replicas("spool-worker-gpu-spot") == 3)
            #expect(server.replicas("spool-worker-gpu-on-demand") == 1)
            let counts = try await actuator.workerCounts(pool: "gpu", parts: [.spot, .onDemand])
            #expect(counts == [.spot: 3, .onDemand: 1])

            try await actuator.drain(
                pool: "gpu",
                workers: [
                    WorkerAddress(host: "spool-worker-gpu-spot-a", pid: 1, capacity: .spot),
                    WorkerAddress(host: "spool-worker-gpu-on-demand-b", pid: 1, capacity: .onDemand),
                ])
            #expect(server.replicas("spool-worker-gpu-spot") == 2)
            #expect(server.replicas("spool-worker-gpu-on-demand") == 0)

            try await actuator.releaseAll(pool: "gpu", capacity: .spot)
            #expect(server.replicas("spool-worker-gpu-spot") == 0)
            // The undivided pool's Deployment is not there: the error names what a spot pool needs.
            await #expect {
                try await actuator.scaleUp(pool: "cpu", by: 1, capacity: .spot)
            } throws: { error in
                "\(error)".contains("no Deployment spool-worker-cpu-spot")
                    && "\(error)".contains("components/spot-and-on-demand")
            }
        }
    }

    /// A spot pool set up before capacity types has only its single Deployment: every part scales that one, and it
    /// is counted once (as the spot part), so existing clusters keep working unchanged.
    @Test func aSpotPoolWithOnlyItsSingleDeploymentKeepsScalingIt() async throws {
        let server = KubernetesContractServer(token: "t", namespace: "video", deployments: ["spool-worker-gpu": 2])
        try await withActuator(server) { actuator in
            #expect(
                try await actuator.workerCounts(pool: "gpu", parts: [.spot, .onDemand]) == [.spot: 2, .onDemand: 0])
            try await actuator.scaleUp(pool: "gpu", by: 1, capacity: .onDemand)
            try await actuator.scaleUp(pool: "gpu", by: 1, capacity: .spot)
            #expect(server.replicas("spool-worker-gpu") == 4)
            try await actuator.drain(
                pool: "gpu", workers: [WorkerAddress(host: "spool-worker-gpu-a", pid: 1, capacity: .onDemand)])
            #expect(server.replicas("spool-worker-gpu") == 3)
            try await actuator.releaseAll(pool: "gpu", capacity: .onDemand)
            #expect(server.replicas("spool-worker-gpu") == 0)
        }
    }

    @Test func aConflictingWriterIsRetriedOnTheNewValue() async throws {
        let server = KubernetesContractServer(token: "t", namespace: "video", deployments: ["spool-worker-p": 2])
        server.interveningWrites.withLock { $0 = 2 }
        try await withActuator(server) { actuator in
            try await actuator.scaleUp(pool: "p", by: 1)
            #expect(server.replicas("spool-worker-p") == 3)
            // Two refused writes, then the one that landed.
            #expect(server.requests.withLock { $0.filter { $0.hasPrefix("PATCH") }.count } == 3)
        }
    }

    @Test func errorsSayWhatToFix() async throws {
        let server = KubernetesContractServer(token: "right", namespace: "video", deployments: [:])
        try await withActuator(server) { actuator in
            await #expect {
                try await actuator.workerCount(pool: "missing")
            } throws: { error in
                "\(error)".contains("no Deployment spool-worker-missing in namespace video")
            }
        }
        try await withActuator(server, token: "wrong") { actuator in
            await #expect {
                try await actuator.scaleUp(pool: "missing", by: 1)
            } throws: { error in
                "\(error)".contains("HTTP 401")
            }
        }
        #expect(throws: ActuatorError.self) {
            _ = try KubernetesScaleActuator.Configuration.inCluster(deploymentTemplate: "x")
        }
    }
}
