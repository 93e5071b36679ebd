/// Service classes order work across tenants. One class is used until QoS arrives; the field exists from the start.
public enum ServiceClass: String, Codable, Sendable, CaseIterable {
    case realtime
    case standard
    case batch
}
