import ArgumentParser
import Foundation
import Logging
import SpoolActuators
import SpoolControlPlane
import SpoolCore
import SpoolPools
import SpoolRuntime

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

    /// The pool manager of a leading process: this configuration's settings and actuator. Local workers are
    /// `child` (the same store and worker settings) for each pool, and log under DATA/logs.
    func poolManager(
        _ opened: OpenedStore, child: ChildWorker, defaultActuator: ActuatorKind,
        shutdownGrace: Duration = .seconds(30), leadership: Leadership, logger: Logger
    ) throws -> PoolManagerService<ContinuousClock> {
        let logDirectory = URL(fileURLWithPath: opened.layout.root).appendingPathComponent("logs")
        try? FileManager.default.createDirectory(at: logDirectory, withIntermediateDirectories: true)
        return PoolManagerService(
            store: opened.store,
            actuator: try makeActuator(
                default: defaultActuator, logDirectory: logDirectory,
                localWorker: { pool in child.arguments(pool: pool) }),
            settings: try settings(), leadership: leadership, shutdownGrace: shutdownGrace, clock: ContinuousClock(),
            logger: logger)
    }

    /// The actuator; `localWorker` gives the arguments of a local worker of a pool.
    private func makeActuator(
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
