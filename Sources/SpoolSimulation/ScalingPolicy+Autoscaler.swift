import SpoolAutoscaling

extension ScalingPolicy {
    /// The autoscaler configuration this policy stands for; nil for a fixed fleet.
    func autoscalerPolicy(
        fleet: FleetSettings, settings: SimulationSettings, meanJobSeconds: Double
    ) -> AutoscalerPolicy? {
        let predictive = PredictiveSettings(
            sampleIntervalSeconds: settings.forecastIntervalSeconds, seasonLength: settings.forecastSeasonLength,
            bootSeconds: fleet.instanceType.bootSeconds)
        // The catalog publishes the interruption rate the modelled provider really has.
        var instanceType = fleet.instanceType
        instanceType.spotInterruptionsPerHour = instanceType.spotInterruptionsPerHour ?? fleet.spotInterruptionsPerHour
        let cost = CostSettings(
            catalog: InstanceCatalog([instanceType]),
            serviceClass: ServiceClassValue(
                name: "standard", waitValuePerJobSecond: settings.waitValuePerJobSecond, allowsSpot: true),
            defaultJobSeconds: meanJobSeconds)
        let base = AutoscalerPolicy(
            minWorkers: fleet.minWorkers, maxWorkers: fleet.maxWorkers,
            targetBacklogPerWorker: Double(fleet.slotsPerWorker) * fleet.targetUtilisation,
            stabilization: settings.stabilization, rates: settings.rates)
        switch self {
        case .hpa:
            return base
        case .predictive:
            var policy = base
            policy.predictive = predictive
            return policy
        case .predictiveCost:
            var policy = base
            policy.predictive = predictive
            policy.cost = cost
            // Batch in cheap hours: batch jobs wait up to half their SLO for capacity already paid for.
            policy.batchDeferralSeconds = settings.batchDeferralSeconds
            // Past it, batch waits for a forecast trough only when asked (`--batch-trough-wait`): on the built-in day
            // it moved cost both ways from seed to seed, through when spot was bought, and saved no GPU-hours.
            policy.batchTroughWaitSeconds = settings.batchTroughWaitSeconds
            return policy
        case .fixed:
            return nil
        }
    }
}
