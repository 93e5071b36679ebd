import SpoolCore

/// Each service class's rank under one configuration, looked up once: `DispatchConfiguration.rank(of:)` finds the
/// class's policy in a dictionary, and preemption asks for the rank of every job on every device it weighs.
struct ClassRanks {
    private let realtime: Int
    private let standard: Int
    private let batch: Int

    init(_ configuration: DispatchConfiguration) {
        realtime = configuration.rank(of: .realtime)
        standard = configuration.rank(of: .standard)
        batch = configuration.rank(of: .batch)
    }

    subscript(serviceClass: ServiceClass) -> Int {
        switch serviceClass {
        case .realtime: realtime
        case .standard: standard
        case .batch: batch
        }
    }
}
