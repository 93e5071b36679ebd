/// Whether a class may take one more unit of capacity now, and why.
public enum AdmissionDecision: Sendable, Equatable, CustomStringConvertible {
    case admit(reason: String)
    case holdBack(reason: String)

    public var isAdmitted: Bool {
        if case .admit = self { return true }
        return false
    }

    public var reason: String {
        switch self {
        case .admit(let reason), .holdBack(let reason): reason
        }
    }

    public var description: String { (isAdmitted ? "admit: " : "hold back: ") + reason }
}
