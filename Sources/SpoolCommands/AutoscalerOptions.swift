import ArgumentParser
import SpoolRuntime

/// How the autoscaler of pools created with `spool pools create` is configured and carried out.
struct AutoscalerOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Autoscaler settings as JSON: interval, rates, seasonal forecast, instance catalog and prices "
                + "(see docs/autoscaling.md).", valueName: "file"))
    var autoscalerConfig: String?

    @Option(help: "What carries out scaling: local (worker processes here), kubernetes (scale subresource), gauge.")
    var actuator: ControlPlaneSettings.Actuator?

    @Option(help: "The worker Deployment of a pool under --actuator kubernetes; {pool} is the pool's name.")
    var kubernetesDeployment = "spool-worker-{pool}"
}

extension ControlPlaneSettings.Actuator: ExpressibleByArgument {}

extension ControlPlaneSettings {
    /// The control-plane flags as a value (`SpoolRuntime`); the lease flags only `spool manager` has.
    init(
        scheduler: SchedulerOptions, autoscaler: AutoscalerOptions, retention: RetentionSweepOptions,
        leaseTTL: Int? = nil, workerTimeout: Int? = nil
    ) {
        self.init()
        retentionSweepSeconds = retention.retentionSweepSeconds
        schedulerConfig = scheduler.schedulerConfig
        schedulerProfile = scheduler.schedulerProfile
        autoscalerConfig = autoscaler.autoscalerConfig
        actuator = autoscaler.actuator
        kubernetesDeployment = autoscaler.kubernetesDeployment
        if let leaseTTL { leaseTTLSeconds = leaseTTL }
        if let workerTimeout { workerTimeoutSeconds = workerTimeout }
    }
}
