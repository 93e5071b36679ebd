import Foundation
import Hummingbird
import HummingbirdTesting
import Prometheus
import SpoolAPIModels
import SpoolInMemoryStore
import Synchronization
import Testing

@testable import SpoolHTTP

/// The probes of processes without the API: liveness never asks anything, readiness asks the store and the
/// process's own checks.
@Suite struct OpsEndpointsTests {
    @Test func healthAnswersAndReadinessFollowsTheChecks() async throws {
        let problem = ProblemBox()
        let endpoints = OpsEndpoints(
            store: InMemoryJobStore(), readiness: ReadinessChecks(["worker": { problem.value }]),
            registry: PrometheusCollectorRegistry())
        let app = Application(router: endpoints.router())
        try await app.test(.router) { client in
            #expect(try await client.execute(uri: "/health", method: .get).status == .ok)
            #expect(try await client.execute(uri: "/health", method: .head).status == .ok)
            #expect(try await client.execute(uri: "/ready", method: .get).status == .ok)
            problem.value = "the encode self-test failed"
            let notReady = try await client.execute(uri: "/ready", method: .get)
            #expect(notReady.status == .serviceUnavailable)
            let view = try JSONDecoder().decode(ReadinessView.self, from: Data(buffer: notReady.body))
            #expect(view.failures == ["worker": "the encode self-test failed"])
            #expect(try await client.execute(uri: "/health", method: .get).status == .ok)
            let metrics = try await client.execute(uri: "/metrics", method: .get)
            #expect(metrics.status == .ok && metrics.headers[.contentType]?.hasPrefix("text/plain") == true)
        }
    }
}

/// A value the test changes while the endpoints read it.
final class ProblemBox: Sendable {
    private let stored = Mutex<String?>(nil)
    var value: String? {
        get { stored.withLock { $0 } }
        set { stored.withLock { $0 = newValue } }
    }
}
