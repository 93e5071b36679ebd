import Foundation
import GPUMemoryLedger
import SpoolCore
import SpoolDispatch

/// One scheduling cycle, as a pure value: for each job, in dispatch order, filter the candidate devices, score the
/// feasible ones, normalise and weight the scores, pick the best, and reserve its resources on the cycle's copy of
/// the fleet so the next job sees them taken. Committing the placements is the caller's business; the store may
/// refuse one whose snapshot was stale, and the job then waits for the next cycle.
public struct SchedulingCycle: Sendable {
    public let profile: SchedulingProfile
    public var estimator: ResourceEstimator
    /// Candidates an explanation keeps, feasible and refused each.
    public var explainLimit: Int
    /// The leader's fencing token, stamped on every placement.
    public var schedulerToken: Int

    let filters: [(name: String, plugin: any FilterPlugin)]
    let scores: [(name: String, plugin: any ScorePlugin, weight: Double)]
    var nextStart = 0
    var random: SplitMix64

    struct Evaluated {
        var worker: Int
        var device: Int
        var path: DevicePath?
        var refusedBy: String?
        var refusal: FilterRefusal?
    }

    // Scratch space reused across jobs, so the hot path does not allocate.
    var evaluated: [Evaluated] = []
    var feasible: [Int] = []
    var raw: [Double] = []

    public init(
        profile: SchedulingProfile = .seed, estimator: ResourceEstimator = ResourceEstimator(), explainLimit: Int = 10,
        schedulerToken: Int = 0, seed: UInt64 = 0x5900_1ED
    ) throws(SchedulerConfigurationError) {
        var filters: [(String, any FilterPlugin)] = [("capability", CapabilityFilter())]
        for name in profile.filters where name != "capability" {
            guard let plugin = PluginRegistry.filters[name] else { throw .unknownFilter(name) }
            filters.append((name, plugin))
        }
        var scores: [(String, any ScorePlugin, Double)] = []
        for (name, weight) in profile.weights.sorted(by: { $0.key < $1.key }) {
            guard let plugin = PluginRegistry.scores[name] else { throw .unknownScore(name) }
            guard weight.isFinite, weight >= 0 else { throw .invalidWeight(name, weight) }
            if weight > 0 { scores.append((name, plugin, weight)) }
        }
        self.profile = profile
        self.estimator = estimator
        self.explainLimit = explainLimit
        self.schedulerToken = schedulerToken
        self.filters = filters
        self.scores = scores
        self.random = SplitMix64(seed: seed)
    }

    /// Places `requests` in the order given (the dispatch order), reserving on `fleet` as it goes.
    public mutating func run(
        _ requests: [PlacementRequest], on fleet: inout FleetSnapshot, now: Date, explain: Bool = false
    ) -> [ExplainedDecision] {
        requests.map { place($0, in: &fleet, now: now, explain: explain) }
    }

    public mutating func place(
        _ request: PlacementRequest, in fleet: inout FleetSnapshot, now: Date, explain: Bool = false
    ) -> ExplainedDecision {
        let demands = estimator.demands(for: request)
        let contexts = PathContexts(request: request, demands: demands)
        let pinned: [Int]? = request.pool.map { fleet.workersByPool[$0] ?? [] }
        let scopeCount = pinned?.count ?? fleet.workers.count
        evaluated.removeAll(keepingCapacity: true)
        feasible.removeAll(keepingCapacity: true)

        if scopeCount > 0 {
            switch profile.sampling {
            case .all: scan(fleet, pinned, scopeCount, contexts, limit: .max, from: nextStart)
            case .feasible(let limit): scan(fleet, pinned, scopeCount, contexts, limit: limit, from: nextStart)
            case .firstFeasible: scan(fleet, pinned, scopeCount, contexts, limit: 1, from: 0)
            case .powerOfTwoChoices:
                probe(fleet, pinned, scopeCount, contexts)
                if feasible.isEmpty { scan(fleet, pinned, scopeCount, contexts, limit: 2, from: nextStart) }
            }
        }

        let chosen = pickBest(fleet, contexts)
        var decision: PlacementDecision
        if let chosen {
            let entry = evaluated[chosen.index]
            let worker = fleet.workers[entry.worker]
            let device = worker.devices[entry.device]
            decision = .placed(
                JobPlacement(
                    worker: worker.id, pool: worker.pool, gpu: device.gpuIndex,
                    deviceModel: device.kind == .gpu ? device.model : nil, demand: contexts.demand(entry.path),
                    score: chosen.total, placedAt: now, schedulerToken: schedulerToken))
        } else {
            decision = .waiting(reason: waitingReason(request, scopeCount: scopeCount))
        }
        // Explained before reserving, so the scores shown are the ones the decision saw.
        let explanation =
            explain
            ? explanation(request, decision, chosen?.index, fleet, contexts, scopeCount: scopeCount, now: now) : nil
        if let chosen {
            let entry = evaluated[chosen.index]
            reserve(contexts.demand(entry.path), job: request.job, worker: entry.worker, device: entry.device, in: &fleet)
        }
        return ExplainedDecision(job: request.job, decision: decision, explanation: explanation)
    }

    // MARK: - Filtering

    private mutating func scan(
        _ fleet: FleetSnapshot, _ pinned: [Int]?, _ scopeCount: Int, _ contexts: PathContexts, limit: Int, from: Int
    ) {
        let start = from % scopeCount
        var examined = 0
        outer: while examined < scopeCount {
            let workerIndex = pinned?[(start + examined) % scopeCount] ?? (start + examined) % scopeCount
            examined += 1
            for deviceIndex in fleet.workers[workerIndex].devices.indices {
                evaluate(fleet, workerIndex, deviceIndex, contexts)
                if feasible.count >= limit { break outer }
            }
        }
        nextStart = (start + examined) % scopeCount
    }

    private mutating func probe(_ fleet: FleetSnapshot, _ pinned: [Int]?, _ scopeCount: Int, _ contexts: PathContexts)
    {
        var attempts = 0
        while feasible.count < 2 && attempts < 16 {
            attempts += 1
            let workerIndex = pinned?[Int.random(in: 0..<scopeCount, using: &random)]
                ?? Int.random(in: 0..<scopeCount, using: &random)
            let devices = fleet.workers[workerIndex].devices.count
            guard devices > 0 else { continue }
            let deviceIndex = Int.random(in: 0..<devices, using: &random)
            if evaluated.contains(where: { $0.worker == workerIndex && $0.device == deviceIndex }) { continue }
            evaluate(fleet, workerIndex, deviceIndex, contexts)
        }
    }

    private mutating func evaluate(_ fleet: FleetSnapshot, _ workerIndex: Int, _ deviceIndex: Int, _ contexts: PathContexts)
    {
        let worker = fleet.workers[workerIndex]
        let device = worker.devices[deviceIndex]
        let path = device.path(for: contexts.acceleration)
        let context = contexts[path]
        for filter in filters {
            if let refusal = filter.plugin.filter(context, worker: worker, device: device) {
                evaluated.append(
                    Evaluated(
                        worker: workerIndex, device: deviceIndex, path: path, refusedBy: filter.name, refusal: refusal))
                return
            }
        }
        feasible.append(evaluated.count)
        evaluated.append(Evaluated(worker: workerIndex, device: deviceIndex, path: path))
    }

    // MARK: - Scoring

    /// Scores every feasible candidate, normalises per plugin, weights, and returns the best (ties: first found).
    private mutating func pickBest(_ fleet: FleetSnapshot, _ contexts: PathContexts) -> (index: Int, total: Double)? {
        guard !feasible.isEmpty else { return nil }
        if scores.isEmpty { return (feasible[0], 0) }
        scoreFeasible(fleet, contexts)
        var best: (index: Int, total: Double)?
        for (position, index) in feasible.enumerated() {
            let total = weightedTotal(position)
            if best == nil || total > best!.total { best = (index, total) }
        }
        return best
    }

    private mutating func scoreFeasible(_ fleet: FleetSnapshot, _ contexts: PathContexts) {
        raw.removeAll(keepingCapacity: true)
        for index in feasible {
            let entry = evaluated[index]
            let worker = fleet.workers[entry.worker]
            let device = worker.devices[entry.device]
            let context = contexts[entry.path]
            for score in scores { raw.append(score.plugin.score(context, worker: worker, device: device)) }
        }
        // Relative plugins divide by the best raw value among this job's candidates.
        for (s, score) in scores.enumerated() where score.plugin.normalization == .relativeToBest {
            var best = 0.0
            for position in feasible.indices { best = max(best, raw[position * scores.count + s]) }
            for position in feasible.indices {
                raw[position * scores.count + s] = best > 0 ? raw[position * scores.count + s] / best : 1
            }
        }
    }

    /// Raw scores were turned into fractions in place; weighting makes them 0…100 per unit of weight.
    private func weightedTotal(_ position: Int) -> Double {
        var total = 0.0
        for (s, score) in scores.enumerated() { total += score.weight * min(1, max(0, raw[position * scores.count + s])) }
        return total * 100
    }

    // MARK: - Reserving

    private func reserve(_ demand: ResourceDemand, job: JobID, worker: Int, device: Int, in fleet: inout FleetSnapshot) {
        fleet.workers[worker].assigned += demand.slots
        if demand.gpuMemoryMiB > 0 {
            _ = fleet.workers[worker].devices[device].memory?.reserve(
                demand.gpuMemoryMiB, for: LedgerOwner(rawValue: job.rawValue))
        }
        fleet.workers[worker].devices[device].encoderSessions.inUse += demand.encoderSessions
        fleet.workers[worker].devices[device].decoderSessions.inUse += demand.decoderSessions
        fleet.workers[worker].hostEncoderSessions?.inUse += demand.encoderSessions
    }

    // MARK: - Explaining

    private func waitingReason(_ request: PlacementRequest, scopeCount: Int) -> String {
        if scopeCount == 0 {
            if let pool = request.pool { return "no live worker serves pool '\(pool)'; start one with --pool \(pool)" }
            return "no live workers; start `spool worker` (or `spool serve`)"
        }
        var byCode: [String: (count: Int, example: FilterRefusal)] = [:]
        for entry in evaluated {
            guard let refusal = entry.refusal else { continue }
            byCode[refusal.code, default: (0, refusal)].count += 1
        }
        let parts = byCode.sorted { ($0.value.count, $1.key) > ($1.value.count, $0.key) }
            .map { "\($0.value.count) × \($0.value.example)" }
        return "no device can take it now (\(evaluated.count) evaluated): " + parts.joined(separator: "; ")
    }

    private func explanation(
        _ request: PlacementRequest, _ decision: PlacementDecision, _ chosenIndex: Int?, _ fleet: FleetSnapshot,
        _ contexts: PathContexts, scopeCount: Int, now: Date
    ) -> PlacementExplanation {
        func candidate(_ index: Int, position: Int?) -> PlacementExplanation.Candidate {
            let entry = evaluated[index]
            let worker = fleet.workers[entry.worker]
            let device = worker.devices[entry.device]
            var pluginScores: [PlacementExplanation.PluginScore] = []
            var total: Double?
            if let position, !scores.isEmpty {
                let context = contexts[entry.path]
                for (s, score) in scores.enumerated() {
                    pluginScores.append(
                        .init(
                            plugin: score.name, raw: score.plugin.score(context, worker: worker, device: device),
                            normalized: min(1, max(0, raw[position * scores.count + s])) * 100, weight: score.weight))
                }
                total = weightedTotal(position)
            }
            return PlacementExplanation.Candidate(
                worker: worker.id, pool: worker.pool, device: device.label, gpu: device.gpuIndex, path: entry.path,
                demand: entry.path.map { contexts.demand($0) }, refusedBy: entry.refusedBy,
                reason: entry.refusal?.description, scores: pluginScores, total: total ?? (entry.refusal == nil ? 0 : nil))
        }
        var feasibleReports = feasible.enumerated().map { candidate($0.element, position: $0.offset) }
        feasibleReports.sort { ($0.total ?? 0) > ($1.total ?? 0) }
        var refused: [PlacementExplanation.Candidate] = []
        var seenCodes: Set<String> = []
        for (index, entry) in evaluated.enumerated() where entry.refusal != nil && refused.count < explainLimit {
            // One example of each reason first, so a rare refusal is not hidden behind a common one.
            if seenCodes.insert(entry.refusal!.code).inserted { refused.append(candidate(index, position: nil)) }
        }
        for (index, entry) in evaluated.enumerated()
        where entry.refusal != nil && refused.count < explainLimit && !refused.contains(where: {
            $0.worker == fleet.workers[entry.worker].id && $0.gpu == fleet.workers[entry.worker].devices[entry.device].gpuIndex
        }) {
            refused.append(candidate(index, position: nil))
        }
        var counts: [String: Int] = [:]
        for entry in evaluated { if let code = entry.refusal?.code { counts[code, default: 0] += 1 } }
        let chosen = chosenIndex.flatMap { index in feasible.firstIndex(of: index).map { candidate(index, position: $0) } }
        var scope = 0
        if let pool = request.pool {
            scope = (fleet.workersByPool[pool] ?? []).reduce(0) { $0 + fleet.workers[$1].devices.count }
        } else {
            scope = fleet.deviceCount
        }
        let waiting: String? = if case .waiting(let reason) = decision { reason } else { nil }
        return PlacementExplanation(
            job: request.job, decidedAt: now, profile: profile.name, outcome: chosen == nil ? .waiting : .placed,
            chosen: chosen, waitingReason: waiting, devicesInScope: scope, devicesEvaluated: evaluated.count,
            feasible: feasible.count, refusals: counts,
            candidates: Array(feasibleReports.prefix(explainLimit)) + refused)
    }
}

/// The plugin context for each path a device may offer, built once per job rather than once per candidate.
struct PathContexts {
    let acceleration: Acceleration
    let demands: PathDemands
    let nvenc: CandidateContext
    let nvdec: CandidateContext
    let opencl: CandidateContext
    let cpu: CandidateContext
    let none: CandidateContext

    init(request: PlacementRequest, demands: PathDemands) {
        acceleration = request.acceleration
        self.demands = demands
        nvenc = CandidateContext(request: request, path: .nvenc, demand: demands.nvenc)
        nvdec = CandidateContext(request: request, path: .nvdec, demand: demands.nvdec)
        opencl = CandidateContext(request: request, path: .opencl, demand: demands.host)
        cpu = CandidateContext(request: request, path: .cpu, demand: demands.host)
        none = CandidateContext(request: request, path: nil, demand: demands.host)
    }

    subscript(path: DevicePath?) -> CandidateContext {
        switch path {
        case .nvenc?: nvenc
        case .nvdec?: nvdec
        case .opencl?: opencl
        case .cpu?: cpu
        case nil: none
        }
    }

    func demand(_ path: DevicePath?) -> ResourceDemand { path.map { demands[$0] } ?? demands.host }
}
