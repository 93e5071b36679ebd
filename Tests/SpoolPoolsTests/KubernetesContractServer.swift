import Foundation
import Hummingbird
import Synchronization

/// A contract test server for the two Kubernetes API calls the actuator makes: the apps/v1 Deployment scale
/// subresource (GET, and PATCH with `application/merge-patch+json`, refusing a stale `metadata.resourceVersion` with
/// 409 as the API server does) and a merge-patch of pod annotations. Named as a fake: no Kubernetes API server can
/// run on this machine. It checks what a real one would refuse: the bearer token, the content type, unknown objects.
final class KubernetesContractServer: Sendable {
    struct Deployment: Sendable {
        var replicas: Int
        var resourceVersion: Int
    }

    let token: String
    let namespace: String
    let deployments: Mutex<[String: Deployment]>
    let podAnnotations = Mutex<[String: [String: String]]>([:])
    /// Changes the next PATCH of a scale should lose to, as another writer would (tests conflicts).
    let interveningWrites = Mutex(0)
    let requests = Mutex<[String]>([])

    init(token: String, namespace: String, deployments: [String: Int]) {
        self.token = token
        self.namespace = namespace
        self.deployments = Mutex(deployments.mapValues { Deployment(replicas: $0, resourceVersion: 1) })
    }

    func replicas(_ name: String) -> Int? { deployments.withLock { $0[name]?.replicas } }

    var router: Router<BasicRequestContext> {
        let router = Router()
        let scale: RouterPath = "/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale"
        router.get(scale) { request, context in
            try self.authorize(request)
            let name = try context.parameters.require("name")
            self.requests.withLock { $0.append("GET \(name)") }
            guard try context.parameters.require("namespace") == self.namespace,
                let deployment = self.deployments.withLock({ $0[name] })
            else { return Self.status(.notFound, "deployments.apps \"\(name)\" not found") }
            return Self.json(self.scaleObject(name, deployment))
        }
        router.patch(scale) { request, context in
            try self.authorize(request)
            guard request.headers[.contentType] == "application/merge-patch+json" else {
                return Self.status(.unsupportedMediaType, "the body of a PATCH must be a merge patch")
            }
            let name = try context.parameters.require("name")
            let body = try await request.body.collect(upTo: 1 << 16)
            guard let patch = try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any],
                let replicas = (patch["spec"] as? [String: Any])?["replicas"] as? Int
            else { return Self.status(.unprocessableContent, "spec.replicas is required") }
            let expected = ((patch["metadata"] as? [String: Any])?["resourceVersion"] as? String).flatMap { Int($0) }
            self.requests.withLock { $0.append("PATCH \(name) \(replicas)") }
            let outcome: Deployment? = self.deployments.withLock { deployments in
                guard var deployment = deployments[name] else { return nil }
                if self.interveningWrites.withLock({ count in
                    defer { count = max(count - 1, 0) }
                    return count > 0
                }) {
                    deployment.resourceVersion += 1
                    deployments[name] = deployment
                }
                if let expected, expected != deployment.resourceVersion {
                    return Deployment(replicas: -1, resourceVersion: deployment.resourceVersion)
                }
                deployment.replicas = replicas
                deployment.resourceVersion += 1
                deployments[name] = deployment
                return deployment
            }
            guard let outcome else { return Self.status(.notFound, "deployments.apps \"\(name)\" not found") }
            if outcome.replicas < 0 {
                return Self.status(
                    .conflict, "the object has been modified; please apply your changes to the latest version")
            }
            return Self.json(self.scaleObject(name, outcome))
        }
        router.patch("/api/v1/namespaces/{namespace}/pods/{pod}") { request, context in
            try self.authorize(request)
            let pod = try context.parameters.require("pod")
            let body = try await request.body.collect(upTo: 1 << 16)
            let patch = try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]
            let annotations = (patch?["metadata"] as? [String: Any])?["annotations"] as? [String: String] ?? [:]
            self.podAnnotations.withLock { $0[pod, default: [:]].merge(annotations) { $1 } }
            return Self.json(["kind": "Pod", "metadata": ["name": pod, "annotations": annotations]])
        }
        return router
    }

    func authorize(_ request: Request) throws {
        guard request.headers[.authorization] == "Bearer \(token)" else { throw HTTPError(.unauthorized) }
    }

    func scaleObject(_ name: String, _ deployment: Deployment) -> [String: Any] {
        [
            "kind": "Scale", "apiVersion": "autoscaling/v1",
            "metadata": ["name": name, "namespace": namespace, "resourceVersion": "\(deployment.resourceVersion)"],
            "spec": ["replicas": deployment.replicas], "status": ["replicas": deployment.replicas],
        ]
    }

    static func json(_ object: [String: Any]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data()
        return Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func status(_ status: HTTPResponse.Status, _ message: String) -> Response {
        var response = json(["kind": "Status", "status": "Failure", "message": message, "code": status.code])
        response.status = status
        return response
    }
}
