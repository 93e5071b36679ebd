import Foundation
import SpoolCore
import Synchronization

/// The health of this worker's GPUs: attempts report how they ended on their GPU, a device that fails is fenced
/// (the scheduler sees it in the worker's registration and places nothing there), and after its backoff it is
/// self-tested and re-admitted when the test passes.
public final class GPUHealthMonitor: Sendable {
    private let devices: Mutex<[Int: DeviceHealth]>

    public init(gpus: [Int], policy: DeviceHealth.Policy = DeviceHealth.Policy()) {
        devices = Mutex(Dictionary(uniqueKeysWithValues: gpus.map { ($0, DeviceHealth(policy: policy)) }))
    }

    /// Feeds one event to a GPU's state machine and returns what it decided.
    @discardableResult
    public func record(_ event: DeviceHealth.Event, gpu: Int, now: Date) -> DeviceHealth.Action? {
        devices.withLock { devices in devices[gpu]?.handle(event, now: now) }
    }

    /// GPUs fenced now, with the reason, for the worker's registration.
    public var fenced: [Int: String] {
        devices.withLock { devices in
            var fenced: [Int: String] = [:]
            for (gpu, health) in devices {
                switch health.state {
                case .healthy: break
                case .fenced(let reason, _, let until):
                    fenced[gpu] = "\(reason); self-test after \(until.formatted(.iso8601))"
                case .selfTesting(let reason, _): fenced[gpu] = "\(reason); self-test running"
                }
            }
            return fenced
        }
    }

    /// GPUs whose backoff ended: they move to self-testing and the caller runs their tests.
    public func dueForSelfTest(now: Date) -> [Int] {
        devices.withLock { devices in
            var due: [Int] = []
            for gpu in devices.keys.sorted() where devices[gpu]?.handle(.tick, now: now) == .runSelfTest {
                due.append(gpu)
            }
            return due
        }
    }
}
