/// How jobs share a GPU.
public enum GPUSharing: String, Sendable, Codable, Equatable {
    /// Several jobs per GPU, as Spool's cycle packs them: bounded by GPU memory, NVENC/NVDEC sessions and the
    /// worker's job slots.
    case sessionAware = "session_aware"
    /// One job per whole GPU at a time, as the Kubernetes device plugin hands out `nvidia.com/gpu: 1`.
    case wholeGPU = "whole_gpu"
}
