/// Why a process refuses to start, naming what to change. The command prints it and exits 1.
public enum StartupError: Error, Sendable, Equatable, CustomStringConvertible {
    case configuration(RuntimeConfigurationError)
    /// A scheduler or autoscaler file (or profile name) that does not load.
    case invalidSettings(String)
    case managerNeedsRedis
    case poolsUnservable(wanted: [String], servable: [String])
    case noPool
    /// nvidia-smi is installed but failed; a GPU pool was asked for.
    case gpuDiscoveryFailed(String)
    case poolNotActive(name: String, phase: String)
    case poolKindUnservable(name: String, kind: String, narrowed: Bool, servable: [String])
    case kubernetes(String)
    /// The storage `--storage` names cannot be used: it is missing, or the credentials are refused.
    case storage(String)

    public var description: String {
        switch self {
        case .configuration(let error): error.description
        case .invalidSettings(let reason): reason
        case .managerNeedsRedis:
            "a manager coordinates a cluster: give --redis redis://host:port (or SPOOL_REDIS, or store.redis in --config)"
        case .poolsUnservable(let wanted, let servable):
            "this machine cannot serve pool(s) \(wanted.joined(separator: ", ")); it can serve "
                + servable.joined(separator: ", ")
        case .gpuDiscoveryFailed(let problem):
            "GPU discovery failed, so no GPU pool can run: \(problem). Fix the driver until nvidia-smi runs, or start "
                + "only CPU or OpenCL pools"
        case .noPool: "no pool can run here: ffmpeg lacks libx264/libx265 and no GPU or OpenCL device was found"
        case .poolNotActive(let name, let phase): "pool \(name) is \(phase) and takes no new workers"
        case .poolKindUnservable(let name, let kind, let narrowed, let servable):
            "this machine cannot serve pool \(name) (kind \(kind)"
                + (narrowed ? ", with the GPUs its device selector allows" : "") + "); it can serve: "
                + servable.joined(separator: ", ")
        case .kubernetes(let reason): reason
        case .storage(let reason): "the storage cannot be used: \(reason)"
        }
    }
}
