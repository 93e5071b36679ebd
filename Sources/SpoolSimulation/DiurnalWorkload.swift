import Foundation
import SpoolCore
import SpoolDispatch

/// The built-in workload "diurnal": a day of Poisson arrivals whose rate follows a sine between a night trough and
/// an evening peak, plus bulk-upload bursts and a retry storm after an outage. The peak rate is chosen so the jobs
/// in flight at the peak come to `peakConcurrency` when every job starts on arrival and runs on NVENC.
public struct DiurnalWorkload: Sendable, Codable, Equatable {
    public var durationSeconds: Double
    public var peakConcurrency: Double
    /// The arrival rate at the trough as a share of the peak rate.
    public var troughShare: Double
    /// Hour of the day (0–24) at which arrivals peak; the trough is twelve hours away.
    public var peakHour: Double
    public var tenants: Int
    /// Shares of realtime, standard and batch jobs, in that order.
    public var classShares: [Double]
    public var mix: [WeightedKind]
    /// Source media lengths are log-normal: this median, this spread (σ of the logarithm), capped at `maximum`.
    public var mediaMedianSeconds: Double
    public var mediaSpread: Double
    public var mediaMaximumSeconds: Double
    /// Bulk uploads: this many a day at random times, each of `burstJobs` batch jobs from one tenant spread over
    /// `burstSeconds`.
    public var burstsPerDay: Int
    public var burstJobs: Int
    public var burstSeconds: Double
    public var outages: [OutageWindow]

    public init(
        durationSeconds: Double = 86_400, peakConcurrency: Double = 1_500, troughShare: Double = 0.25,
        peakHour: Double = 19, tenants: Int = 12, classShares: [Double] = [0.1, 0.6, 0.3],
        mix: [WeightedKind] = WeightedKind.vodMix, mediaMedianSeconds: Double = 1_800, mediaSpread: Double = 0.8,
        mediaMaximumSeconds: Double = 4 * 3_600, burstsPerDay: Int = 4, burstJobs: Int = 400,
        burstSeconds: Double = 120,
        outages: [OutageWindow] = [OutageWindow(startSeconds: 15 * 3_600, durationSeconds: 20 * 60)]
    ) {
        self.durationSeconds = durationSeconds
        self.peakConcurrency = peakConcurrency
        self.troughShare = troughShare
        self.peakHour = peakHour
        self.tenants = max(tenants, 1)
        self.classShares = classShares
        self.mix = mix
        self.mediaMedianSeconds = mediaMedianSeconds
        self.mediaSpread = mediaSpread
        self.mediaMaximumSeconds = mediaMaximumSeconds
        self.burstsPerDay = burstsPerDay
        self.burstJobs = burstJobs
        self.burstSeconds = burstSeconds
        self.outages = outages
    }

    /// Mean NVENC run time of a job: mean media length (log-normal, ignoring the cap) over the mix's mean speed.
    public var meanNVENCSeconds: Double {
        let meanMedia = mediaMedianSeconds * exp(mediaSpread * mediaSpread / 2)
        let totalShare = mix.reduce(0) { $0 + $1.share }
        let secondsPerMediaSecond = mix.reduce(0) { $0 + $1.share / $1.nvencSpeed } / max(totalShare, 1e-9)
        return meanMedia * secondsPerMediaSecond
    }

    public var peakArrivalsPerSecond: Double { peakConcurrency / max(meanNVENCSeconds, 1) }

    /// Arrivals per second at `seconds` into the day.
    public func arrivalRate(at seconds: Double) -> Double {
        let phase = 2 * Double.pi * (seconds / 86_400 - peakHour / 24)
        let shape = (1 + cos(phase)) / 2
        return peakArrivalsPerSecond * (troughShare + (1 - troughShare) * shape)
    }

    /// About how many jobs `generate` makes: the arrival rate summed minute by minute, the bursts, and a margin
    /// of a few standard deviations of the Poisson count.
    var expectedJobs: Int {
        var arrivals = 0.0
        var minute = 0.0
        while minute < durationSeconds {
            let width = min(60, durationSeconds - minute)
            arrivals += arrivalRate(at: minute + width / 2) * width
            minute += 60
        }
        let bursts = Int((Double(burstsPerDay) * durationSeconds / 86_400).rounded()) * burstJobs
        // Bounded (near five times the fleet-scale day, about 4 GB of jobs): a larger day grows its array as it goes
        // rather than reserving, up front, memory the machine may not have.
        return min(Int(arrivals * 1.001 + 6 * arrivals.squareRoot()) + bursts + 1_024, 1 << 26)
    }

    public func generate(seed: UInt64) -> Workload {
        var random = SplitMix64(seed: seed)
        let kinds = mix.map(\.kind)
        let shares = mix.map(\.share)
        // Tenant sizes follow Zipf: a few large customers, a long tail of small ones.
        let tenantWeights = (1...tenants).map { 1 / Double($0) }
        let tenantNames = (1...tenants).map { String(format: "tenant-%02d", $0) }
        var jobs: [SimulatedJob] = []
        // Room for the day at once: grown by doubling, fourteen million jobs were copied over and over.
        jobs.reserveCapacity(expectedJobs)

        func job(at arrival: Double, tenant: Int, serviceClass: ServiceClass) -> SimulatedJob {
            let entry = random.index(weightedBy: shares)
            let media = min(
                mediaMedianSeconds * exp(mediaSpread * random.standardNormal()), mediaMaximumSeconds)
            return SimulatedJob(
                arrivalSeconds: arrival, tenant: tenantNames[tenant], serviceClass: serviceClass, kind: entry,
                durations: mix[entry].durations(mediaSeconds: max(media, 1)))
        }

        // A non-homogeneous Poisson process by thinning: candidates at the peak rate, kept in proportion to the
        // rate at their time.
        let peakRate = peakArrivalsPerSecond
        var time = random.exponential(rate: peakRate)
        while time < durationSeconds {
            if random.unit() * peakRate < arrivalRate(at: time) {
                let tenant = random.index(weightedBy: tenantWeights)
                let serviceClass = ServiceClass.allCases[random.index(weightedBy: classShares)]
                jobs.append(job(at: time, tenant: tenant, serviceClass: serviceClass))
            }
            time += random.exponential(rate: peakRate)
        }

        let bursts = Int((Double(burstsPerDay) * durationSeconds / 86_400).rounded())
        for _ in 0..<bursts {
            let start = random.unit() * max(durationSeconds - burstSeconds, 0)
            let tenant = random.index(weightedBy: tenantWeights)
            for _ in 0..<burstJobs {
                jobs.append(job(at: start + random.unit() * burstSeconds, tenant: tenant, serviceClass: .batch))
            }
        }
        // Ordered here, where the array is this function's alone: ordered by `Workload`, a copy would be made.
        Workload.putInArrivalOrder(&jobs)
        return Workload(
            name: "diurnal", durationSeconds: durationSeconds, kinds: kinds, jobs: jobs,
            outages: outages.filter { $0.startSeconds < durationSeconds })
    }

    private enum CodingKeys: String, CodingKey {
        case durationSeconds = "duration_seconds"
        case peakConcurrency = "peak_concurrency"
        case troughShare = "trough_share"
        case peakHour = "peak_hour"
        case tenants
        case classShares = "class_shares"
        case mix
        case mediaMedianSeconds = "media_median_seconds"
        case mediaSpread = "media_spread"
        case mediaMaximumSeconds = "media_maximum_seconds"
        case burstsPerDay = "bursts_per_day"
        case burstJobs = "burst_jobs"
        case burstSeconds = "burst_seconds"
        case outages
    }
}
