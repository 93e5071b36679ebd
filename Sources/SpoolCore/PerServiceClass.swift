/// One value for each service class, kept in fields: a scheduler reads and updates these for every job it weighs,
/// where a dictionary would hash the class each time and an array would allocate.
public struct PerServiceClass<Value: Sendable & Equatable>: Sendable, Equatable {
    public var realtime: Value
    public var standard: Value
    public var batch: Value

    public init(_ value: Value) {
        realtime = value
        standard = value
        batch = value
    }

    public subscript(serviceClass: ServiceClass) -> Value {
        get {
            switch serviceClass {
            case .realtime: realtime
            case .standard: standard
            case .batch: batch
            }
        }
        set {
            switch serviceClass {
            case .realtime: realtime = newValue
            case .standard: standard = newValue
            case .batch: batch = newValue
            }
        }
    }
}
