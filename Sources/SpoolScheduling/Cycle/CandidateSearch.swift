import SpoolCore
import SpoolDispatch

/// One device the cycle looked at for a job, and the filter that refused it (an index into the cycle's filters).
struct Evaluated {
    var worker: Int
    var device: Int
    var path: DevicePath?
    var refusedBy: Int?
    var refusal: FilterRefusal?
}

/// One job's pass over the fleet: find candidates (scan or sample), run the filters, then score the feasible ones
/// and normalise the scores. Works on storage the cycle lends for the pass, so a candidate costs no reference
/// counting at all.
struct CandidateSearch {
    let contexts: PathContexts
    var evaluated: [Evaluated]
    var feasible: [Int]
    /// Raw scores, one row of `scores.count` per feasible candidate; fractions 0…1 after `score`.
    var raw: [Double]
    var random: SplitMix64
    var nextStart: Int

    init(
        contexts: PathContexts, evaluated: [Evaluated], feasible: [Int], raw: [Double], random: SplitMix64,
        nextStart: Int
    ) {
        self.contexts = contexts
        self.evaluated = evaluated
        self.feasible = feasible
        self.raw = raw
        self.random = random
        self.nextStart = nextStart
        self.evaluated.removeAll(keepingCapacity: true)
        self.feasible.removeAll(keepingCapacity: true)
        self.raw.removeAll(keepingCapacity: true)
    }

    mutating func run(
        _ workers: UnsafeBufferPointer<WorkerSnapshot>, _ filters: PluginTable<FilterRunner, any FilterPlugin>,
        _ pinned: [Int]?, _ scopeCount: Int, _ sampling: CandidateSampling
    ) {
        guard scopeCount > 0 else { return }
        switch sampling {
        case .all: scan(workers, filters, pinned, scopeCount, limit: .max, from: nextStart)
        case .feasible(let limit): scan(workers, filters, pinned, scopeCount, limit: limit, from: nextStart)
        case .firstFeasible: scan(workers, filters, pinned, scopeCount, limit: 1, from: 0)
        case .powerOfTwoChoices:
            probe(workers, filters, pinned, scopeCount)
            if feasible.isEmpty { scan(workers, filters, pinned, scopeCount, limit: 2, from: nextStart) }
        }
    }

    private mutating func scan(
        _ workers: UnsafeBufferPointer<WorkerSnapshot>, _ filters: PluginTable<FilterRunner, any FilterPlugin>,
        _ pinned: [Int]?, _ scopeCount: Int, limit: Int, from: Int
    ) {
        let start = from % scopeCount
        var examined = 0
        while examined < scopeCount && feasible.count < limit {
            let position = (start + examined) % scopeCount
            let workerIndex = pinned?[position] ?? position
            examined += 1
            workers[workerIndex].devices.withUnsafeBufferPointer { devices in
                for deviceIndex in devices.indices where feasible.count < limit {
                    evaluate(workers, workerIndex, devices, deviceIndex, filters)
                }
            }
        }
        nextStart = (start + examined) % scopeCount
    }

    private mutating func probe(
        _ workers: UnsafeBufferPointer<WorkerSnapshot>, _ filters: PluginTable<FilterRunner, any FilterPlugin>,
        _ pinned: [Int]?, _ scopeCount: Int
    ) {
        var attempts = 0
        while feasible.count < 2 && attempts < 16 {
            attempts += 1
            let position = Int.random(in: 0..<scopeCount, using: &random)
            let workerIndex = pinned?[position] ?? position
            let count = workers[workerIndex].devices.count
            guard count > 0 else { continue }
            let deviceIndex = Int.random(in: 0..<count, using: &random)
            if evaluated.contains(where: { $0.worker == workerIndex && $0.device == deviceIndex }) { continue }
            workers[workerIndex].devices.withUnsafeBufferPointer { devices in
                evaluate(workers, workerIndex, devices, deviceIndex, filters)
            }
        }
    }

    private mutating func evaluate(
        _ workers: UnsafeBufferPointer<WorkerSnapshot>, _ workerIndex: Int,
        _ devices: UnsafeBufferPointer<DeviceSnapshot>, _ deviceIndex: Int,
        _ filters: PluginTable<FilterRunner, any FilterPlugin>
    ) {
        let candidate = Candidate(
            workerAddress: workers.baseAddress! + workerIndex, deviceAddress: devices.baseAddress! + deviceIndex)
        let path = candidate.device.path(for: contexts.acceleration)
        let refusal: (index: Int, reason: FilterRefusal)? = contexts.with(path) { context in
            for index in filters.runners.indices {
                if let reason = filters.runners[index].filter(context, candidate, custom: filters.custom) {
                    return (index, reason)
                }
            }
            return nil
        }
        if refusal == nil { feasible.append(evaluated.count) }
        evaluated.append(
            Evaluated(
                worker: workerIndex, device: deviceIndex, path: path, refusedBy: refusal?.index,
                refusal: refusal?.reason))
    }

    /// Scores every feasible candidate, then turns each plugin's raw scores into fractions 0…1: relative plugins
    /// divide by the best raw value among this job's candidates.
    mutating func score(
        _ workers: UnsafeBufferPointer<WorkerSnapshot>, _ scores: PluginTable<ScoreRunner, any ScorePlugin>,
        _ relative: [Bool]
    ) {
        let count = scores.runners.count
        for index in feasible {
            let entry = evaluated[index]
            workers[entry.worker].devices.withUnsafeBufferPointer { devices in
                let candidate = Candidate(
                    workerAddress: workers.baseAddress! + entry.worker,
                    deviceAddress: devices.baseAddress! + entry.device)
                contexts.with(entry.path) { context in
                    for s in 0..<count {
                        raw.append(scores.runners[s].score(context, candidate, custom: scores.custom))
                    }
                }
            }
        }
        for s in 0..<count where relative[s] {
            var best = 0.0
            for position in feasible.indices { best = max(best, raw[position * count + s]) }
            for position in feasible.indices {
                raw[position * count + s] = best > 0 ? raw[position * count + s] / best : 1
            }
        }
    }
}

/// The runners of one kind of plugin and the side table of plugins that are not built in, lent for one search.
struct PluginTable<Runner, Plugin> {
    let runners: UnsafeBufferPointer<Runner>
    let custom: UnsafeBufferPointer<Plugin>
}
