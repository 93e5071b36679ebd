import RESPClient
import SpoolCore

/// The fields of a tenant's daily usage hash, in the order `RedisScripts.addUsage` takes and returns them (its Lua
/// names them in the same order).
enum TenantUsageFields {
    static let names = [
        "upload_bytes", "gpu_seconds", "jobs", "cpu_seconds", "cost", "priced_attempts", "energy_joules",
        "energy_attempts",
    ]
    /// 400 days: a year of usage reports, and the quotas' today.
    static let lifetimeSeconds = 400 * 86_400

    static func values(of usage: TenantUsage) -> [String] {
        [
            "\(usage.uploadBytes)", "\(usage.gpuSeconds)", "\(usage.jobs)", "\(usage.cpuSeconds)", "\(usage.cost)",
            "\(usage.pricedAttempts)", "\(usage.energyJoules)", "\(usage.energyAttempts)",
        ]
    }

    /// A missing field (a day that has none of it yet) reads as 0.
    static func usage(from values: [RESPValue]) -> TenantUsage {
        let number = { (index: Int) in index < values.count ? values[index].double ?? 0 : 0 }
        return TenantUsage(
            uploadBytes: Int64(number(0)), gpuSeconds: number(1), jobs: Int(number(2)), cpuSeconds: number(3),
            cost: number(4), pricedAttempts: Int(number(5)), energyJoules: number(6), energyAttempts: Int(number(7)))
    }
}
