import Foundation
import SpoolCore

/// Which pools a process serves on this machine: every pool the devices allow, narrowed to the ones asked for.
public enum PoolSelection {
    /// `wanted` is comma-separated pool names; nil takes every pool this machine can serve.
    public static func pools(for inventory: DeviceInventory, wanted: String?) throws(StartupError) -> [PoolDescriptor] {
        var planned = PoolPlanner.pools(for: inventory)
        if let wanted {
            let names = Set(wanted.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
            let unknown = names.subtracting(planned.map(\.name))
            if !unknown.isEmpty, let problem = inventory.gpuDiscoveryProblem { throw .gpuDiscoveryFailed(problem) }
            guard unknown.isEmpty else {
                throw .poolsUnservable(wanted: unknown.sorted(), servable: planned.map(\.name))
            }
            planned = planned.filter { names.contains($0.name) }
        }
        guard !planned.isEmpty else { throw .noPool }
        return planned
    }
}
