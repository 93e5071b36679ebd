/// Whether overload may change how a job is made. Degradation never changes what is made: the outputs, their
/// names, kinds, renditions and sizes stay exactly as asked. It may only move the job to another pool or encode it
/// with a faster encoder setting (`EncoderSpeed.faster`), and only when the job allows it.
public enum DegradationConsent: String, Codable, Sendable, CaseIterable {
    case allow
    case forbid

    /// What a job gets when its request names nothing: realtime and standard work would rather start late-cheap
    /// than miss its target; batch work has no deadline to protect, so it waits at full quality.
    public static func `default`(for serviceClass: ServiceClass) -> DegradationConsent {
        switch serviceClass {
        case .realtime, .standard: .allow
        case .batch: .forbid
        }
    }
}
