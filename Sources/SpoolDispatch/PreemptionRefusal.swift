import Foundation
import SpoolCore

/// Why no eviction was planned, in words a person can act on.
public enum PreemptionRefusal: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// Preemption is switched off in the configuration.
    case disabled
    /// The job fits as things stand; place it instead of evicting anything.
    case fitsWithoutPreemption(deviceID: String)
    /// No device would fit the job even with every lower-class job on it gone (or nothing lower runs at all).
    case nothingLowerToEvict(ServiceClass)
    /// Enough lower-class work runs, but the jobs that would have to go were evicted too often lately.
    case victimsProtected(afterEvictions: Int, until: Date)
    /// Enough lower-class work runs, but evicting it would push its class below its reserved share.
    case victimsWithinReservedShare([ServiceClass])

    public var description: String {
        switch self {
        case .disabled:
            "preemption is disabled"
        case .fitsWithoutPreemption(let deviceID):
            "the job fits on \(deviceID) without evicting anything"
        case .nothingLowerToEvict(let serviceClass):
            "nothing lower than \(serviceClass.rawValue) runs on a device that would fit"
        case .victimsProtected(let evictions, let until):
            "victims protected after \(evictions) evictions until \(until.formatted(.iso8601))"
        case .victimsWithinReservedShare(let classes):
            "evicting would push \(classes.map(\.rawValue).joined(separator: ", ")) below its reserved share"
        }
    }
}
