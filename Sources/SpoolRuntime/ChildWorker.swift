/// The command line of a `spool worker` that a process starts for one of its pools (the local actuator): the same
/// store, the same worker settings and input rules as its parent, tied to the parent's life. Built here once, for
/// `spool serve` and `spool manager` alike.
public struct ChildWorker: Sendable, Equatable {
    public var store: StoreSettings
    public var worker: WorkerSettings
    public var inputRoots: [String]
    public var inputBuckets: [String] = []
    public var allowPrivateNetworks: Bool

    public init(store: StoreSettings, worker: WorkerSettings, inputRoots: [String] = [], allowPrivateNetworks: Bool) {
        self.store = store
        self.worker = worker
        self.inputRoots = inputRoots
        self.allowPrivateNetworks = allowPrivateNetworks
    }

    public func arguments(pool: String) -> [String] {
        ["worker"] + store.arguments + ["--pool", pool, "--exit-with-parent"]
            + inputRoots.flatMap { ["--input-root", $0] } + inputBuckets.flatMap { ["--input-bucket", $0] }
            + (allowPrivateNetworks ? ["--allow-private-networks"] : []) + worker.arguments
    }
}
