import Foundation
import SpoolCore

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Scales a pool's worker Deployment through its scale subresource, as `kubectl scale` does, with the pod's service
/// account. Scale-in first marks the chosen pods cheapest to delete (`controller.kubernetes.io/pod-deletion-cost`),
/// so the ReplicaSet removes idle workers rather than busy ones; each removed pod gets SIGTERM and drains.
///
/// A pool with a spot part has two Deployments, the template's name plus `-spot` and `-on-demand`
/// (`spool-worker-gpu-spot`), whose pods select nodes by `karpenter.sh/capacity-type` and start their worker with
/// the matching `--capacity-type` (deploy/kubernetes/components/spot-and-on-demand). A pool without one keeps its
/// single Deployment.
public struct KubernetesScaleActuator: ScalingActuator {
    public struct Configuration: Sendable {
        /// The API server, `https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT` in a cluster.
        public var apiServer: URL
        public var namespace: String
        /// The Deployment of a pool's workers; `{pool}` is replaced by the pool's name.
        public var deploymentTemplate: String
        /// Re-read on every call: projected service-account tokens rotate.
        public var tokenFile: String
        /// How long one request to the API server may take.
        public var requestTimeout: Duration

        public init(
            apiServer: URL, namespace: String, deploymentTemplate: String, tokenFile: String,
            requestTimeout: Duration = .seconds(10)
        ) {
            self.apiServer = apiServer
            self.namespace = namespace
            self.deploymentTemplate = deploymentTemplate
            self.tokenFile = tokenFile
            self.requestTimeout = requestTimeout
        }

        static let serviceAccount = "/var/run/secrets/kubernetes.io/serviceaccount"

        /// The configuration a pod finds about itself: API server from the environment, namespace, token and CA
        /// certificate from the mounted service account.
        public static func inCluster(deploymentTemplate: String) throws(ActuatorError) -> Configuration {
            let environment = ProcessInfo.processInfo.environment
            guard let host = environment["KUBERNETES_SERVICE_HOST"], let port = environment["KUBERNETES_SERVICE_PORT"]
            else {
                throw ActuatorError(
                    "KUBERNETES_SERVICE_HOST/PORT are not set: --actuator kubernetes runs inside a cluster only; "
                        + "use --actuator gauge to publish desired workers instead")
            }
            guard
                let namespace = try? String(contentsOfFile: serviceAccount + "/namespace", encoding: .utf8)
                    .trimmingCharacters(in: .whitespacesAndNewlines)
            else {
                throw ActuatorError("cannot read \(serviceAccount)/namespace: is a service account mounted?")
            }
            // FoundationNetworking verifies the API server against the system trust store
            // (/etc/ssl/certs/ca-certificates.crt), so the pod must trust the cluster's CA there
            // (deploy/kubernetes/components/kubernetes-actuator: an init container writes both onto a volume).
            let bracketed = host.contains(":") ? "[\(host)]" : host
            guard let url = URL(string: "https://\(bracketed):\(port)") else {
                throw ActuatorError("KUBERNETES_SERVICE_HOST '\(host)' is not a host name")
            }
            return Configuration(
                apiServer: url, namespace: namespace, deploymentTemplate: deploymentTemplate,
                tokenFile: serviceAccount + "/token")
        }
    }

    public let name = "kubernetes"
    let configuration: Configuration
    let session: URLSession

    public init(configuration: Configuration) {
        self.configuration = configuration
        let sessionConfiguration = URLSessionConfiguration.ephemeral
        sessionConfiguration.timeoutIntervalForRequest = configuration.requestTimeout.seconds
        session = URLSession(configuration: sessionConfiguration)
    }

    /// The Deployment of one part of a pool: the template's name, suffixed by the capacity type when there is one.
    public func deployment(of pool: String, capacity: CapacityType? = nil) -> String {
        let name = configuration.deploymentTemplate.replacingOccurrences(of: "{pool}", with: pool)
        return capacity.map { "\(name)-\($0.rawValue)" } ?? name
    }

    public func workerCount(pool: String, capacity: CapacityType?) async throws(ActuatorError) -> Int {
        let part = try await part(of: pool, capacity: capacity)
        // A stand-in is counted once, as the spot part.
        return part.isStandIn && capacity != .spot ? 0 : part.scale.replicas
    }

    public func scaleUp(pool: String, by count: Int, capacity: CapacityType?) async throws(ActuatorError) {
        try await changeReplicas(part(of: pool, capacity: capacity).deployment) { $0 + max(count, 0) }
    }

    /// Each worker leaves the Deployment of its own part: its pod is marked, then that Deployment shrinks by the
    /// number of its workers leaving.
    public func drain(pool: String, workers: [WorkerAddress]) async throws(ActuatorError) {
        guard !workers.isEmpty else { return }
        for pod in Set(workers.map(\.host)).sorted() {
            let patch = #"{"metadata":{"annotations":{"controller.kubernetes.io/pod-deletion-cost":"-1000"}}}"#
            // A pod that is gone already needs no mark; any other failure stops before replicas change.
            let status = try await send(
                "PATCH", "/api/v1/namespaces/\(configuration.namespace)/pods/\(pod)", body: Data(patch.utf8)
            ).status
            if status != 200 && status != 404 {
                throw ActuatorError(
                    "marking pod \(pod) for removal answered HTTP \(status); the service account needs patch on pods")
            }
        }
        let leaving = Dictionary(grouping: workers, by: \.capacity).mapValues(\.count)
        for part in leaving.keys.sorted(by: { ($0?.rawValue ?? "") < ($1?.rawValue ?? "") }) {
            let count = leaving[part] ?? 0
            try await changeReplicas(self.part(of: pool, capacity: part).deployment) { max($0 - count, 0) }
        }
    }

    public func releaseAll(pool: String, capacity: CapacityType?) async throws(ActuatorError) {
        try await changeReplicas(part(of: pool, capacity: capacity).deployment) { _ in 0 }
    }

    public func controls(_ worker: WorkerAddress, pool: String) -> Bool { true }

    // MARK: - Scale subresource

    struct Scale {
        var replicas: Int
        var resourceVersion: String?
    }

    func scalePath(_ deployment: String) -> String {
        "/apis/apps/v1/namespaces/\(configuration.namespace)/deployments/\(deployment)/scale"
    }

    func readScale(_ deployment: String) async throws(ActuatorError) -> Scale {
        guard let scale = try await readScaleIfPresent(deployment) else { throw missing(deployment) }
        return scale
    }

    /// The scale of a Deployment, or nil when there is no such Deployment.
    func readScaleIfPresent(_ deployment: String) async throws(ActuatorError) -> Scale? {
        let (status, data) = try await send("GET", scalePath(deployment), body: nil)
        if status == 404 { return nil }
        try check(status, data, deployment: deployment, verb: "get")
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let spec = object["spec"] as? [String: Any]
        else {
            throw ActuatorError("the scale of deployment \(deployment) is not a Scale object")
        }
        let metadata = object["metadata"] as? [String: Any]
        return Scale(
            replicas: (spec["replicas"] as? Int) ?? 0, resourceVersion: metadata?["resourceVersion"] as? String)
    }

    /// Read, change, write with the version read; another writer in between makes the API server answer 409 and
    /// the change is made again on the new value.
    func changeReplicas(_ deployment: String, _ change: (Int) -> Int) async throws(ActuatorError) {
        for _ in 0..<5 {
            let scale = try await readScale(deployment)
            var metadata = ""
            if let version = scale.resourceVersion { metadata = #""metadata":{"resourceVersion":"\#(version)"},"# }
            let patch = #"{\#(metadata)"spec":{"replicas":\#(change(scale.replicas))}}"#
            let (status, data) = try await send("PATCH", scalePath(deployment), body: Data(patch.utf8))
            if status == 409 { continue }
            try check(status, data, deployment: deployment, verb: "patch")
            return
        }
        throw ActuatorError("deployment \(deployment) kept changing under 5 attempts to scale it")
    }

    func check(_ status: Int, _ data: Data, deployment: String, verb: String) throws(ActuatorError) {
        switch status {
        case 200..<300: return
        case 401:
            throw ActuatorError("the Kubernetes API refused the service-account token (HTTP 401)")
        case 403:
            throw ActuatorError(
                "the service account may not \(verb) deployments/scale in namespace \(configuration.namespace) "
                    + "(HTTP 403); apply deploy/kubernetes/rbac.yaml")
        case 404:
            throw missing(deployment)
        default:
            let message = String(decoding: data.prefix(300), as: UTF8.self)
            throw ActuatorError("the Kubernetes API answered HTTP \(status) to \(verb) the scale: \(message)")
        }
    }

    func missing(_ deployment: String) -> ActuatorError {
        let split = CapacityType.allCases.contains { deployment.hasSuffix("-\($0.rawValue)") }
        return ActuatorError(
            "no Deployment \(deployment) in namespace \(configuration.namespace); "
                + (split
                    ? "a pool that may run spot has one per capacity type "
                        + "(deploy/kubernetes/components/spot-and-on-demand), or its single one"
                    : "create one per pool (deploy/kubernetes/worker-deployment.yaml)")
                + " or change --kubernetes-deployment")
    }

    func send(_ method: String, _ path: String, body: Data?) async throws(ActuatorError) -> (status: Int, data: Data) {
        guard let token = try? String(contentsOfFile: configuration.tokenFile, encoding: .utf8) else {
            throw ActuatorError("cannot read the service-account token at \(configuration.tokenFile)")
        }
        var request = URLRequest(url: configuration.apiServer.appendingPathComponent(path))
        request.httpMethod = method
        request.setValue(
            "Bearer " + token.trimmingCharacters(in: .whitespacesAndNewlines), forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        if let body {
            request.httpBody = body
            request.setValue("application/merge-patch+json", forHTTPHeaderField: "Content-Type")
        }
        do {
            let (data, response) = try await session.data(for: request)
            return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
        } catch {
            throw ActuatorError(
                "cannot reach the Kubernetes API at \(configuration.apiServer.absoluteString): "
                    + error.localizedDescription
                    + " (a certificate error means the pod does not trust the cluster's CA: put "
                    + "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt into /etc/ssl/certs/ca-certificates.crt, "
                    + "as deploy/kubernetes/components/kubernetes-actuator does)")
        }
    }
}
