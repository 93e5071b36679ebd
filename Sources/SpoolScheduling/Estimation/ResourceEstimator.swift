import SpoolCore

/// A job's demand on one kind of device: memory from the learned estimate when there is one, else the model;
/// one encoder session per video encode on NVENC; one decoder session on any GPU path; one worker slot.
public struct ResourceEstimator: Sendable, Equatable {
    public var model: MemoryModel
    public var learner: DemandLearner

    public init(model: MemoryModel = .default, learner: DemandLearner = DemandLearner()) {
        self.model = model
        self.learner = learner
    }

    public func demand(for request: PlacementRequest, on path: DevicePath) -> ResourceDemand {
        switch path {
        case .nvenc, .nvdec:
            let modelled = model.memoryMiB(for: request.shape, path: path)
            let learned = learner.isEmpty ? nil : learner.estimateMiB(estimateKey: request.estimateKey, path: path)
            return ResourceDemand(
                gpuMemoryMiB: learned ?? modelled, encoderSessions: path == .nvenc ? request.shape.videoEncodes : 0,
                decoderSessions: 1, slots: 1)
        case .opencl, .cpu:
            return ResourceDemand(slots: 1)
        }
    }

    /// Demands for every path, computed once per job and reused for every candidate.
    public func demands(for request: PlacementRequest) -> PathDemands {
        PathDemands(
            nvenc: demand(for: request, on: .nvenc), nvdec: demand(for: request, on: .nvdec),
            host: demand(for: request, on: .cpu))
    }
}

public struct PathDemands: Sendable, Equatable {
    public var nvenc: ResourceDemand
    public var nvdec: ResourceDemand
    /// CPU and OpenCL paths hold a slot only.
    public var host: ResourceDemand

    public subscript(path: DevicePath) -> ResourceDemand {
        switch path {
        case .nvenc: nvenc
        case .nvdec: nvdec
        case .opencl, .cpu: host
        }
    }
}
