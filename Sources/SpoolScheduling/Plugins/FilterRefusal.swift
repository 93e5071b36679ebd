/// Why a filter ruled a candidate out. Values, not strings, so refusing costs nothing until someone asks why.
public enum FilterRefusal: Sendable, Equatable, Hashable, CustomStringConvertible {
    case workerDraining
    case deviceFenced(String)
    case otherPool(wanted: String, has: String)
    case unpinnedNotAccepted
    case noEncoder(model: String)
    case accelerationMismatch(wanted: String, device: String)
    case workerFull(assigned: Int, slots: Int)
    case encoderSessionsFull(inUse: Int, capacity: Int, needed: Int)
    case hostEncoderCapReached(inUse: Int, cap: Int, needed: Int)
    case decoderSessionsFull(inUse: Int, capacity: Int, needed: Int)
    case insufficientMemory(neededMiB: Int, freeMiB: Int, largestBlockMiB: Int)

    public var description: String {
        switch self {
        case .workerDraining: "worker is draining"
        case .deviceFenced(let reason): "device fenced: \(reason)"
        case .otherPool(let wanted, let has): "job is pinned to pool \(wanted); worker serves \(has)"
        case .unpinnedNotAccepted: "worker takes only jobs pinned to its pool"
        case .noEncoder(let model): "\(model) has no NVENC (decode only); the job asks for NVENC"
        case .accelerationMismatch(let wanted, let device):
            "job asks for \(wanted) acceleration; this device is "
                + (device == "gpu" ? "a GPU" : device == "opencl" ? "an OpenCL device" : "the host's CPU")
        case .workerFull(let assigned, let slots): "all \(slots) slots taken (\(assigned) jobs assigned)"
        case .encoderSessionsFull(let inUse, let capacity, let needed):
            "needs \(needed) encoder sessions; \(inUse) of \(capacity) in use"
        case .hostEncoderCapReached(let inUse, let cap, let needed):
            "needs \(needed) encoder sessions; the driver's host-wide cap of \(cap) has \(inUse) in use"
        case .decoderSessionsFull(let inUse, let capacity, let needed):
            "needs \(needed) decoder sessions; \(inUse) of \(capacity) in use"
        case .insufficientMemory(let needed, let free, let largest):
            free >= needed
                ? "needs \(needed) MiB of GPU memory; \(free) MiB free but fragmented (largest block \(largest) MiB)"
                : "needs \(needed) MiB of GPU memory; \(free) MiB free"
        }
    }

    /// A short stable key to count refusals by.
    public var code: String {
        switch self {
        case .workerDraining: "draining"
        case .deviceFenced: "fenced"
        case .otherPool: "pool"
        case .unpinnedNotAccepted: "pinned_only"
        case .noEncoder: "no_nvenc"
        case .accelerationMismatch: "acceleration"
        case .workerFull: "slots"
        case .encoderSessionsFull: "encoder_sessions"
        case .hostEncoderCapReached: "host_encoder_cap"
        case .decoderSessionsFull: "decoder_sessions"
        case .insufficientMemory: "gpu_memory"
        }
    }
}
