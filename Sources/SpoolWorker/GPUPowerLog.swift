import SpoolCore
import Synchronization

/// Each GPU's power draw as the worker's registrations read it from nvidia-smi (every couple of seconds), kept as
/// running sums so an attempt can take the mean of the readings taken while it ran without keeping them all.
final class GPUPowerLog: Sendable {
    /// Where the sums stood for one GPU when an attempt started.
    struct Mark: Sendable, Equatable {
        var watts: Double
        var readings: Int
    }

    private struct Totals {
        var watts: Double = 0
        var readings = 0
        var latest: Double?
    }

    private let totals = Mutex<[Int: Totals]>([:])

    /// A GPU whose reading is missing (`[N/A]`) adds nothing: its mean stays that of the readings it gave.
    func record(_ gpus: [GPUDevice]) {
        totals.withLock { totals in
            for gpu in gpus {
                guard let watts = gpu.powerDrawW else { continue }
                totals[gpu.index, default: Totals()].watts += watts
                totals[gpu.index, default: Totals()].readings += 1
                totals[gpu.index, default: Totals()].latest = watts
            }
        }
    }

    func mark(gpu: Int) -> Mark {
        totals.withLock { totals in
            let current = totals[gpu] ?? Totals()
            return Mark(watts: current.watts, readings: current.readings)
        }
    }

    /// The mean draw of the readings since `mark`; with none since (a short attempt), the latest reading; nil when
    /// the GPU never reported its power.
    func meanWatts(gpu: Int, since mark: Mark) -> Double? {
        totals.withLock { totals in
            guard let current = totals[gpu] else { return nil }
            let readings = current.readings - mark.readings
            return readings > 0 ? (current.watts - mark.watts) / Double(readings) : current.latest
        }
    }
}
