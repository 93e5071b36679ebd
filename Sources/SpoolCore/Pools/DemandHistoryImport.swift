import Foundation

/// A pool's demand history as `PUT /v1/pools/{name}/history` takes it and `GET` returns it: the peak load of each
/// sample interval, oldest first. Imported, it lets a new pool forecast from a known workload at once (`spool pools
/// import-history POOL FILE.csv`).
public struct DemandHistoryImport: Codable, Sendable, Equatable {
    public var samples: [DemandSample]

    public init(samples: [DemandSample]) {
        self.samples = samples
    }

    /// The most samples one import takes: two weeks of one-minute intervals.
    public static let maximumSamples = 20_160

    /// The samples, checked: at least one, at most `maximumSamples`, each peak a finite number of jobs from 0 to a
    /// billion, none starting after `now`. Samples older than the retention are accepted and then dropped by the store.
    public func validated(now: Date) throws(SpecError) -> [DemandSample] {
        guard !samples.isEmpty else {
            throw SpecError(field: "samples", rule: "required", message: "give at least one sample")
        }
        guard samples.count <= Self.maximumSamples else {
            throw SpecError(
                field: "samples", rule: "too_many",
                message: "\(samples.count) samples; one import takes at most \(Self.maximumSamples)")
        }
        for (index, sample) in samples.enumerated() {
            guard sample.peak.isFinite, sample.peak >= 0, sample.peak <= 1e9 else {
                throw SpecError(
                    field: "samples[\(index)].peak", rule: "out_of_range",
                    message: "a peak is a number of jobs from 0 to 1000000000")
            }
            guard sample.start <= now else {
                throw SpecError(
                    field: "samples[\(index)].start", rule: "in_the_future",
                    message: "the interval starts after now; a history is of the past")
            }
        }
        return samples.sorted { $0.start < $1.start }
    }
}
