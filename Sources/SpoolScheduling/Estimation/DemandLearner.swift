import SpoolCore

/// Learns each preset's real GPU memory from what nvidia-smi reported for finished runs, so estimates drift
/// towards what the driver actually allocated rather than what the model guessed.
public struct DemandLearner: Codable, Sendable, Equatable {
    public struct Estimate: Codable, Sendable, Equatable {
        /// Exponentially weighted mean of observed peaks.
        public var meanMiB: Double
        public var maximumMiB: Int
        public var observations: Int
    }

    /// Weight of the newest observation.
    public var smoothing: Double
    /// Observations needed before a learned value replaces the model.
    public var minimumObservations: Int
    /// Safety margin over the learned mean.
    public var headroom: Double
    public private(set) var estimates: [String: Estimate] = [:]

    public init(smoothing: Double = 0.3, minimumObservations: Int = 3, headroom: Double = 1.15) {
        self.smoothing = smoothing
        self.minimumObservations = minimumObservations
        self.headroom = headroom
    }

    public var isEmpty: Bool { estimates.isEmpty }

    static func key(_ estimateKey: String, _ path: DevicePath) -> String { path.rawValue + "|" + estimateKey }

    /// Records one run's peak GPU memory (nvidia-smi's used_memory for the ffmpeg process).
    public mutating func observe(estimateKey: String, path: DevicePath, peakMiB: Int) {
        guard peakMiB > 0 else { return }
        let key = Self.key(estimateKey, path)
        if var known = estimates[key] {
            known.meanMiB += smoothing * (Double(peakMiB) - known.meanMiB)
            known.maximumMiB = max(known.maximumMiB, peakMiB)
            known.observations += 1
            estimates[key] = known
        } else {
            estimates[key] = Estimate(meanMiB: Double(peakMiB), maximumMiB: peakMiB, observations: 1)
        }
    }

    /// The learned reservation, or nil until enough runs were seen. Never below the largest peak seen, so a
    /// preset that once needed more is not squeezed.
    public func estimateMiB(estimateKey: String, path: DevicePath) -> Int? {
        guard let known = estimates[Self.key(estimateKey, path)], known.observations >= minimumObservations else {
            return nil
        }
        return max(Int((known.meanMiB * headroom).rounded(.up)), known.maximumMiB)
    }
}
