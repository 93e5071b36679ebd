import ArgumentParser
import Foundation
import Logging
import SpoolActuators
import SpoolCore
import SpoolPlacement
import SpoolPools

/// How the autoscaler of pools created with `spool pools create` is configured and carried out.
struct AutoscalerOptions: ParsableArguments {
    enum ActuatorKind: String, ExpressibleByArgument, CaseIterable {
        /// Start and stop `spool worker` processes on this machine.
        case local
        /// Patch each pool's worker Deployment (in-cluster service account).
        case kubernetes
        /// Only publish `spool_pool_desired_workers` for an HPA or KEDA to follow.
        case gauge
    }

    @Option(
        help: ArgumentHelp(
            "Autoscaler settings as JSON: interval, rates, seasonal forecast, instance catalog and prices "
                + "(see docs/autoscaling.md).", valueName: "file"))
    var autoscalerConfig: String?

    @Option(help: "What carries out scaling: local (worker processes here), kubernetes (scale subresource), gauge.")
    var actuator: ActuatorKind?

    @Option(help: "The worker Deployment of a pool under --actuator kubernetes; {pool} is the pool's name.")
    var kubernetesDeployment = "spool-worker-{pool}"

    func settings() throws -> AutoscalerSettings {
        guard let autoscalerConfig else { return AutoscalerSettings() }
        do {
            return try AutoscalerSettings.load(path: autoscalerConfig)
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// The actuator; `localWorker` gives the arguments of a local worker of a pool.
    func makeActuator(
        default fallback: ActuatorKind, logDirectory: URL, localWorker: @escaping @Sendable (String) -> [String]
    ) throws -> any ScalingActuator {
        switch actuator ?? fallback {
        case .local:
            return LocalWorkerSupervisor(
                launch: .init(
                    executable: URL(fileURLWithPath: CommandLine.executablePath), arguments: localWorker,
                    logDirectory: logDirectory))
        case .kubernetes:
            do {
                return KubernetesScaleActuator(
                    configuration: try .inCluster(deploymentTemplate: kubernetesDeployment))
            } catch {
                throw ValidationError(error.description)
            }
        case .gauge:
            return DesiredWorkersGauge()
        }
    }
}

extension CommandLine {
    /// This executable, so local workers run the same build as the process that starts them.
    static var executablePath: String {
        if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return resolved
        }
        return URL(fileURLWithPath: arguments[0]).standardizedFileURL.path
    }
}

extension StoreOptions {
    /// The store arguments a child process needs to open the same store.
    var childArguments: [String] {
        var arguments = ["--data", layout.root, "--max-attempts", "\(maxAttempts)"]
        if let redis {
            arguments += [
                "--redis", redis, "--redis-namespace", redisNamespace, "--redis-shards", "\(redisShards)",
                "--redis-breaker-failures", "\(redisBreakerFailures)", "--redis-breaker-cooldown",
                "\(redisBreakerCooldown)",
            ]
        }
        return arguments
    }
}
