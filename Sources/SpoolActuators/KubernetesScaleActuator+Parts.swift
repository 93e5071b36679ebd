import SpoolCore

extension KubernetesScaleActuator {
    /// The Deployment that carries one part of a pool, with its scale as read.
    struct Part {
        var deployment: String
        var scale: Scale
        /// The pool's single Deployment standing in for a part whose own Deployment does not exist.
        var isStandIn: Bool
    }

    /// A part's own Deployment (`spool-worker-gpu-spot`), or, when it does not exist, the pool's single one
    /// (`spool-worker-gpu`): a spot pool set up before capacity types keeps scaling the one Deployment it has, as
    /// before, with the capacity choice advisory there. A missing part with no single Deployment either is the
    /// part's error, which names the component that ships both.
    func part(of pool: String, capacity: CapacityType?) async throws(ActuatorError) -> Part {
        let own = deployment(of: pool, capacity: capacity)
        if let scale = try await readScaleIfPresent(own) {
            return Part(deployment: own, scale: scale, isStandIn: false)
        }
        let single = deployment(of: pool)
        guard capacity != nil, let scale = try await readScaleIfPresent(single) else { throw missing(own) }
        return Part(deployment: single, scale: scale, isStandIn: true)
    }
}
