import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Scales a pool's worker Deployment through its scale subresource, as `kubectl scale` does, with the pod's service
/// account. Scale-in first marks the chosen pods cheapest to delete (`controller.kubernetes.io/pod-deletion-cost`),
/// so the ReplicaSet removes idle workers rather than busy ones; each removed pod gets SIGTERM and drains.
public struct KubernetesScaleActuator: ScalingActuator {
    public struct Configuration: Sendable {
        /// The API server, `https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT` in a cluster.
        public var apiServer: URL
        public var namespace: String
        /// The Deployment of a pool's workers; `{pool}` is replaced by the pool's name.
        public var deploymentTemplate: String
        /// Re-read on every call: projected service-account tokens rotate.
        public var tokenFile: String

        public init(apiServer: URL, namespace: String, deploymentTemplate: String, tokenFile: String) {
            self.apiServer = apiServer
            self.namespace = namespace
            self.deploymentTemplate = deploymentTemplate
            self.tokenFile = tokenFile
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
        sessionConfiguration.timeoutIntervalForRequest = 10
        session = URLSession(configuration: sessionConfiguration)
    }

    public func deployment(of pool: String) -> String {
        configuration.deploymentTemplate.replacingOccurrences(of: "{pool}", with: pool)
    }

    public func workerCount(pool: String) async throws(ActuatorError) -> Int {
        try await readScale(pool: pool).replicas
    }

    public func scaleUp(pool: String, by count: Int) async throws(ActuatorError) {
        try await changeReplicas(pool: pool) { $0 + max(count, 0) }
    }

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
        try await changeReplicas(pool: pool) { max($0 - workers.count, 0) }
    }

    public func releaseAll(pool: String) async throws(ActuatorError) {
        try await changeReplicas(pool: pool) { _ in 0 }
    }

    public func controls(_ worker: WorkerAddress, pool: String) -> Bool { true }

    // MARK: - Scale subresource

    struct Scale {
        var replicas: Int
        var resourceVersion: String?
    }

    func scalePath(_ pool: String) -> String {
        "/apis/apps/v1/namespaces/\(configuration.namespace)/deployments/\(deployment(of: pool))/scale"
    }

    func readScale(pool: String) async throws(ActuatorError) -> Scale {
        let (status, data) = try await send("GET", scalePath(pool), body: nil)
        try check(status, data, pool: pool, verb: "get")
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let spec = object["spec"] as? [String: Any]
        else {
            throw ActuatorError("the scale of deployment \(deployment(of: pool)) is not a Scale object")
        }
        let metadata = object["metadata"] as? [String: Any]
        return Scale(
            replicas: (spec["replicas"] as? Int) ?? 0, resourceVersion: metadata?["resourceVersion"] as? String)
    }

    /// Read, change, write with the version read; another writer in between makes the API server answer 409 and
    /// the change is made again on the new value.
    func changeReplicas(pool: String, _ change: (Int) -> Int) async throws(ActuatorError) {
        for _ in 0..<5 {
            let scale = try await readScale(pool: pool)
            var metadata = ""
            if let version = scale.resourceVersion { metadata = #""metadata":{"resourceVersion":"\#(version)"},"# }
            let patch = #"{\#(metadata)"spec":{"replicas":\#(change(scale.replicas))}}"#
            let (status, data) = try await send("PATCH", scalePath(pool), body: Data(patch.utf8))
            if status == 409 { continue }
            try check(status, data, pool: pool, verb: "patch")
            return
        }
        throw ActuatorError("deployment \(deployment(of: pool)) kept changing under 5 attempts to scale it")
    }

    func check(_ status: Int, _ data: Data, pool: String, verb: String) throws(ActuatorError) {
        switch status {
        case 200..<300: return
        case 401:
            throw ActuatorError("the Kubernetes API refused the service-account token (HTTP 401)")
        case 403:
            throw ActuatorError(
                "the service account may not \(verb) deployments/scale in namespace \(configuration.namespace) "
                    + "(HTTP 403); apply deploy/kubernetes/rbac.yaml")
        case 404:
            throw ActuatorError(
                "no Deployment \(deployment(of: pool)) in namespace \(configuration.namespace); create one per pool "
                    + "(deploy/kubernetes/worker-deployment.yaml) or change --kubernetes-deployment")
        default:
            let message = String(decoding: data.prefix(300), as: UTF8.self)
            throw ActuatorError("the Kubernetes API answered HTTP \(status) to \(verb) the scale: \(message)")
        }
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
