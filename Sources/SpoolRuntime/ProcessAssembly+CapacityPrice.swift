import SpoolAutoscaling
import SpoolCore
import SpoolPools

extension ProcessAssembly {
    /// What this process's workers pay for their capacity: the worker flags first (`--instance-type`,
    /// `--capacity-type`, `--price-per-hour`), then the managed pool's instance type and spot setting; the price from
    /// the instance catalog (`--instance-catalog`, else the `--autoscaler-config` file) when no price is given. Nil
    /// when nothing names a type or a price: the workers' costs are then unknown.
    func capacityPrice(managed: PoolSpec?) throws(StartupError) -> CapacityPrice? {
        let settings = configuration.worker
        let catalogFile = settings.instanceCatalog ?? configuration.controlPlane.autoscalerConfig
        var catalog: [InstanceType] = []
        if let catalogFile {
            do {
                catalog = try AutoscalerSettings.load(path: catalogFile).catalog
            } catch {
                throw .invalidSettings("instance catalog \(catalogFile): \(error)")
            }
        }
        let capacityType = settings.capacityType ?? (managed?.spot == true ? .spot : .onDemand)
        return InstanceCatalog(catalog).capacityPrice(
            instanceType: settings.instanceType ?? managed?.instanceType, capacityType: capacityType,
            explicitPricePerHour: settings.pricePerHour)
    }

    /// A child worker reads its prices from the catalog this process scales with, unless told another.
    func childWorkerSettings(_ settings: WorkerSettings) -> WorkerSettings {
        var settings = settings
        settings.instanceCatalog = settings.instanceCatalog ?? configuration.controlPlane.autoscalerConfig
        return settings
    }
}
