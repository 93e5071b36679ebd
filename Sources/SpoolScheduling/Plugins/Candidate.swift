/// One worker and device under evaluation, handed to plugins without copying either. A snapshot's device carries its
/// memory ledger and a worker its device list; copying them for each of a dozen plugins over a hundred candidates per
/// job cost more than the plugins themselves. The cycle lends the snapshot's own storage for the duration of one
/// plugin call, so a plugin must not keep a `Candidate` (it never needs to: plugins are pure functions).
public struct Candidate {
    let workerAddress: UnsafePointer<WorkerSnapshot>
    let deviceAddress: UnsafePointer<DeviceSnapshot>

    public var worker: WorkerSnapshot { unsafeAddress { workerAddress } }
    public var device: DeviceSnapshot { unsafeAddress { deviceAddress } }

    /// Lends `worker` and `device` to `body` (tests and callers outside the cycle).
    public static func with<T>(
        worker: WorkerSnapshot, device: DeviceSnapshot, _ body: (Candidate) throws -> T
    ) rethrows -> T {
        try withUnsafePointer(to: worker) { w in
            try withUnsafePointer(to: device) { d in try body(Candidate(workerAddress: w, deviceAddress: d)) }
        }
    }
}
