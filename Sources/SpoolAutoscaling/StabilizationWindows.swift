/// HPA's stabilization windows: how long a recommendation keeps influencing later ones.
public struct StabilizationWindows: Sendable, Codable, Equatable {
    /// Scale-down follows the highest recommendation of this window, so a brief dip does not release workers.
    public var scaleDownSeconds: Double
    /// Scale-up follows the lowest recommendation of this window; zero reacts to the latest at once.
    public var scaleUpSeconds: Double

    public init(scaleDownSeconds: Double = 300, scaleUpSeconds: Double = 0) {
        self.scaleDownSeconds = scaleDownSeconds
        self.scaleUpSeconds = scaleUpSeconds
    }

    private enum CodingKeys: String, CodingKey {
        case scaleDownSeconds = "scale_down_seconds"
        case scaleUpSeconds = "scale_up_seconds"
    }
}
