/// Whether a long input is split into segments that workers encode in parallel: `auto` splits inputs longer than
/// `autoThresholdSeconds`, `on` splits any input with a key frame to cut at, `off` never splits. Splitting changes
/// how outputs are made, never which outputs exist or what they hold.
public struct SegmentingRequest: Codable, Sendable, Equatable, Hashable {
    public enum Mode: String, Codable, Sendable, CaseIterable {
        case auto
        case off
        case on
    }

    public static let defaultSeconds = 30
    /// Inputs at most this long are encoded whole under `auto`: below it, splitting saves less than it costs.
    public static let autoThresholdSeconds = 120.0
    public static let secondsRange = 2...3600
    public static let standard = SegmentingRequest(mode: .auto, seconds: defaultSeconds)

    public var mode: Mode
    /// The length segments aim at; each is cut at the first key frame at least this far from the previous cut.
    public var seconds: Int

    public init(mode: Mode = .auto, seconds: Int = defaultSeconds) {
        self.mode = mode
        self.seconds = seconds
    }

    enum CodingKeys: String, CodingKey { case mode, seconds }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        mode = try c.decodeIfPresent(Mode.self, forKey: .mode) ?? .auto
        seconds = try c.decodeIfPresent(Int.self, forKey: .seconds) ?? Self.defaultSeconds
    }

    /// Whether an input of this duration should be split at all (before looking at its key frames).
    public func wantsSplit(durationSeconds: Double) -> Bool {
        switch mode {
        case .off: false
        case .on: true
        case .auto: durationSeconds > Self.autoThresholdSeconds
        }
    }

    func validate() throws(SpecError) {
        guard Self.secondsRange.contains(seconds) else {
            throw SpecError(
                field: "segmenting.seconds", rule: "range",
                message:
                    "segmenting.seconds must be \(Self.secondsRange.lowerBound)…\(Self.secondsRange.upperBound), got \(seconds)"
            )
        }
    }
}
