import SpoolCore

/// What a job asks the scheduler for: a preset's outputs and an acceleration. Jobs of one kind have identical
/// demands, so when one of them cannot be placed in a tick none of the others can either.
public struct JobKind: Sendable, Codable, Equatable, Hashable {
    public var preset: String
    public var acceleration: Acceleration

    public init(preset: String, acceleration: Acceleration = .auto) {
        self.preset = preset
        self.acceleration = acceleration
    }
}
