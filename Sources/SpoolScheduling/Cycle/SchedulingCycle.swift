import Foundation
import GPUMemoryLedger
import SpoolAPIModels
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

    // Names, plugins and weights in parallel arrays: an array of tuples would copy each tuple on every access.
    let filterNames: [String]
    let filters: [FilterRunner]
    let customFilters: [any FilterPlugin]
    let scoreNames: [String]
    let scores: [ScoreRunner]
    let customScores: [any ScorePlugin]
    let weights: [Double]
    let relativeScores: [Bool]
    /// Whether a search may go by `DeviceClasses`: every plugin is built in (a plugin from elsewhere may look at
    /// what tells like devices apart), none looks at the job's input (every job would be a kind of its own), and
    /// candidates are not drawn at random. Tests turn it off to compare the two searches.
    var searchesByClass: Bool
    var nextStart = 0
    var random: SplitMix64
    /// The classes of the fleet the last planning step searched, kept for the next one (the planner takes them and
    /// brings them up to date, `DeviceClasses.bringUpToDate`): most of a large fleet looks the same from one step to
    /// the next, and classifying it afresh cost as much as the searches themselves.
    var keptClasses: DeviceClasses?

    // Scratch space reused across jobs, so the hot path does not allocate.
    var evaluated: [Evaluated] = []
    var feasible: [Int] = []
    var raw: [Double] = []

    /// - Parameters:
    ///   - additionalFilters, additionalScores: plugins beyond the built-in ones, by the names profiles use.
    public init(
        profile: SchedulingProfile = .seed, estimator: ResourceEstimator = ResourceEstimator(), explainLimit: Int = 10,
        schedulerToken: Int = 0, seed: UInt64 = 0x5900_1ED, additionalFilters: [String: any FilterPlugin] = [:],
        additionalScores: [String: any ScorePlugin] = [:]
    ) throws(SchedulerConfigurationError) {
        var filters: [(String, any FilterPlugin)] = [("capability", CapabilityFilter())]
        for name in profile.filters where name != "capability" {
            guard let plugin = additionalFilters[name] ?? PluginRegistry.filters[name] else {
                throw .unknownFilter(name)
            }
            filters.append((name, plugin))
        }
        var scores: [(String, any ScorePlugin, Double)] = []
        for (name, weight) in profile.weights.sorted(by: { $0.key < $1.key }) {
            guard let plugin = additionalScores[name] ?? PluginRegistry.scores[name] else { throw .unknownScore(name) }
            guard weight.isFinite, weight >= 0 else { throw .invalidWeight(name, weight) }
            if weight > 0 { scores.append((name, plugin, weight)) }
        }
        self.profile = profile
        self.estimator = estimator
        self.explainLimit = explainLimit
        self.schedulerToken = schedulerToken
        self.filterNames = filters.map(\.0)
        var customFilters: [any FilterPlugin] = []
        self.filters = filters.map { FilterRunner($0.1, custom: &customFilters) }
        self.customFilters = customFilters
        self.scoreNames = scores.map(\.0)
        var customScores: [any ScorePlugin] = []
        self.scores = scores.map { ScoreRunner($0.1, custom: &customScores) }
        self.customScores = customScores
        self.weights = scores.map(\.2)
        self.relativeScores = scores.map { $0.1.normalization == .relativeToBest }
        self.random = SplitMix64(seed: seed)
        self.searchesByClass =
            customFilters.isEmpty && customScores.isEmpty && profile.sampling != .powerOfTwoChoices
            && !self.scores.contains { if case .inputLocality = $0 { true } else { false } }
    }

    /// Places `requests` in the order given (the dispatch order), reserving on `fleet` as it goes.
    public mutating func run(
        _ requests: [PlacementRequest], on fleet: inout FleetSnapshot, now: Date, explain: Bool = false
    ) -> [ExplainedDecision] {
        var classes: DeviceClasses?
        return requests.map { place($0, in: &fleet, classes: &classes, now: now, explain: explain) }
    }

    /// Places one job, searching device by device. A caller placing many jobs on one fleet should go through
    /// `run`, or the planner, which share one `DeviceClasses` across them.
    public mutating func place(
        _ request: PlacementRequest, in fleet: inout FleetSnapshot, now: Date, explain: Bool = false
    ) -> ExplainedDecision {
        var classes: DeviceClasses?
        return place(request, in: &fleet, classes: &classes, byClass: false, now: now, explain: explain)
    }

    /// Places one job, searching by `classes` where that decides the same as searching device by device (it
    /// always does, except that an explanation lists devices, and some profiles cannot). `classes` is built on
    /// first use and kept in step with the reservations made here; the caller must not change `fleet` otherwise
    /// while it keeps them.
    mutating func place(
        _ request: PlacementRequest, in fleet: inout FleetSnapshot, classes: inout DeviceClasses?,
        byClass: Bool = true, now: Date, explain: Bool = false
    ) -> ExplainedDecision {
        let demands = estimator.demands(for: request)
        let pinned: [Int]? = request.pool.map { fleet.workersByPool[$0] ?? [] }
        let scopeCount = pinned?.count ?? fleet.workers.count
        if byClass && searchesByClass && !explain && scopeCount > 0 {
            if classes == nil { classes = DeviceClasses(fleet) }
            switch searchByClass(request, demands, fleet, &classes!, pinned: pinned, scopeCount: scopeCount) {
            case .waiting(let reason):
                return ExplainedDecision(job: request.job, decision: .waiting(reason: reason), explanation: nil)
            case .placed(let w, let d, let path, let total):
                let demand = path.map { demands[$0] } ?? demands.host
                // Read in place: a worker or device copied out of the fleet retains all it holds.
                let placement = fleet.workers.withUnsafeBufferPointer { workers in
                    let worker = workers.baseAddress! + w
                    return worker.pointee.devices.withUnsafeBufferPointer { devices in
                        let device = devices.baseAddress! + d
                        return JobPlacement(
                            worker: worker.pointee.id, pool: worker.pointee.pool, gpu: device.pointee.gpuIndex,
                            deviceModel: device.pointee.kind == .gpu ? device.pointee.model : nil, demand: demand,
                            score: total, placedAt: now, schedulerToken: schedulerToken, path: path)
                    }
                }
                reserve(demand, job: request.job, worker: w, device: d, in: &fleet)
                classes!.refresh(worker: w, in: fleet)
                return ExplainedDecision(
                    job: request.job, decision: .placed(placement), explanation: nil, workerIndex: w)
            }
        }
        let contexts = PathContexts(request: request, demands: demands, ledger: fleet.ledgerConfiguration)
        search(fleet, pinned, scopeCount, contexts)
        let chosen = pickBest()
        var decision: PlacementDecision
        if let chosen {
            let entry = evaluated[chosen.index]
            let worker = fleet.workers[entry.worker]
            let device = worker.devices[entry.device]
            decision = .placed(
                JobPlacement(
                    worker: worker.id, pool: worker.pool, gpu: device.gpuIndex,
                    deviceModel: device.kind == .gpu ? device.model : nil, demand: contexts.demand(entry.path),
                    score: chosen.total, placedAt: now, schedulerToken: schedulerToken, path: entry.path))
        } else {
            decision = .waiting(reason: waitingReason(request, scopeCount: scopeCount))
        }
        // Explained before reserving, so the scores shown are the ones the decision saw.
        let explanation =
            explain
            ? explanation(request, decision, chosen?.index, fleet, contexts, scopeCount: scopeCount, now: now) : nil
        if let chosen {
            let entry = evaluated[chosen.index]
            reserve(
                contexts.demand(entry.path), job: request.job, worker: entry.worker, device: entry.device, in: &fleet)
            classes?.refresh(worker: entry.worker, in: fleet)
        }
        return ExplainedDecision(
            job: request.job, decision: decision, explanation: explanation,
            workerIndex: chosen.map { evaluated[$0.index].worker })
    }

    // MARK: - Filtering and scoring

    /// Runs one job's search with the snapshot's storage and the plugins borrowed for its whole duration:
    /// borrowing per candidate would retain and release them for each of a hundred candidates.
    private mutating func search(
        _ fleet: FleetSnapshot, _ pinned: [Int]?, _ scopeCount: Int, _ contexts: PathContexts
    ) {
        var search = CandidateSearch(
            contexts: contexts, evaluated: evaluated, feasible: feasible, raw: raw, random: random,
            nextStart: nextStart)
        evaluated = []
        feasible = []
        raw = []
        let sampling = profile.sampling
        let (filters, customFilters) = (self.filters, self.customFilters)
        let (scores, customScores) = (self.scores, self.customScores)
        let relativeScores = self.relativeScores
        fleet.workers.withUnsafeBufferPointer { workers in
            filters.withUnsafeBufferPointer { filters in
                customFilters.withUnsafeBufferPointer { custom in
                    search.run(workers, PluginTable(runners: filters, custom: custom), pinned, scopeCount, sampling)
                }
            }
            if !scores.isEmpty && !search.feasible.isEmpty {
                scores.withUnsafeBufferPointer { scores in
                    customScores.withUnsafeBufferPointer { custom in
                        search.score(workers, PluginTable(runners: scores, custom: custom), relativeScores)
                    }
                }
            }
        }
        evaluated = search.evaluated
        feasible = search.feasible
        raw = search.raw
        random = search.random
        nextStart = search.nextStart
    }

    /// Returns the best feasible candidate by weighted total (ties: first found).
    private func pickBest() -> (index: Int, total: Double)? {
        guard !feasible.isEmpty else { return nil }
        if scores.isEmpty { return (feasible[0], 0) }
        var best: (index: Int, total: Double)?
        for (position, index) in feasible.enumerated() {
            let total = weightedTotal(position)
            if best == nil || total > best!.total { best = (index, total) }
        }
        return best
    }

    /// Raw scores were turned into fractions in place; weighting makes them 0…100 per unit of weight.
    private func weightedTotal(_ position: Int) -> Double {
        var total = 0.0
        let base = position * weights.count
        for s in weights.indices { total += weights[s] * min(1, max(0, raw[base + s])) }
        return total * 100
    }

    // MARK: - Reserving

    private func reserve(_ demand: ResourceDemand, job: JobID, worker: Int, device: Int, in fleet: inout FleetSnapshot)
    {
        fleet.workers[worker].assigned += demand.slots
        if demand.gpuMemoryMiB > 0 {
            fleet.workers[worker].devices[device].reserveMemory(
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
        return Self.noRoomReason(evaluated: evaluated.count, byCode)
    }

    /// Why a job waits although workers are in scope: how many devices refused it for each reason, most first,
    /// each with the first refusal of its kind the search met.
    static func noRoomReason(evaluated: Int, _ byCode: [String: (count: Int, example: FilterRefusal)]) -> String {
        let parts = byCode.sorted { ($0.value.count, $1.key) > ($1.value.count, $0.key) }
            .map { "\($0.value.count) × \($0.value.example)" }
        return "no device can take it now (\(evaluated) evaluated): " + parts.joined(separator: "; ")
    }

    private func explanation(
        _ request: PlacementRequest, _ decision: PlacementDecision, _ chosenIndex: Int?, _ fleet: FleetSnapshot,
        _ contexts: PathContexts, scopeCount: Int, now: Date
    ) -> PlacementExplanation {
        func candidate(_ index: Int, position: Int?) -> PlacementExplanation.Candidate {
            let entry = evaluated[index]
            let worker = fleet.workers[entry.worker]
            let device = worker.devices[entry.device]
            let refusedBy = entry.refusedBy.map { filterNames[$0] }
            var pluginScores: [PlacementExplanation.PluginScore] = []
            var total: Double?
            if let position, !scores.isEmpty {
                let context = contexts[entry.path]
                for s in scores.indices {
                    pluginScores.append(
                        .init(
                            plugin: scoreNames[s],
                            raw: Candidate.with(worker: worker, device: device) { candidate in
                                customScores.withUnsafeBufferPointer { scores[s].score(context, candidate, custom: $0) }
                            },
                            normalized: min(1, max(0, raw[position * scores.count + s])) * 100, weight: weights[s]))
                }
                total = weightedTotal(position)
            }
            return PlacementExplanation.Candidate(
                worker: worker.id, pool: worker.pool, device: device.label, gpu: device.gpuIndex, path: entry.path,
                demand: entry.path.map { contexts.demand($0) }, refusedBy: refusedBy,
                reason: entry.refusal?.description, scores: pluginScores,
                total: total ?? (entry.refusal == nil ? 0 : nil))
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
        where entry.refusal != nil && refused.count < explainLimit
            && !refused.contains(where: {
                $0.worker == fleet.workers[entry.worker].id
                    && $0.gpu == fleet.workers[entry.worker].devices[entry.device].gpuIndex
            })
        {
            refused.append(candidate(index, position: nil))
        }
        var counts: [String: Int] = [:]
        for entry in evaluated { if let code = entry.refusal?.code { counts[code, default: 0] += 1 } }
        let chosen = chosenIndex.flatMap { index in
            feasible.firstIndex(of: index).map { candidate(index, position: $0) }
        }
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
final class PathContexts {
    let acceleration: Acceleration
    let demands: PathDemands
    let nvenc: CandidateContext
    let nvdec: CandidateContext
    let opencl: CandidateContext
    let cpu: CandidateContext
    let none: CandidateContext

    init(request: PlacementRequest, demands: PathDemands, ledger: LedgerConfiguration) {
        acceleration = request.acceleration
        self.demands = demands
        let nvenc = CandidateContext(request: request, path: .nvenc, demand: demands.nvenc, ledger: ledger)
        let nvdec = CandidateContext(request: request, path: .nvdec, demand: demands.nvdec, ledger: ledger)
        let opencl = CandidateContext(request: request, path: .opencl, demand: demands.host, ledger: ledger)
        let cpu = CandidateContext(request: request, path: .cpu, demand: demands.host, ledger: ledger)
        let none = CandidateContext(request: request, path: nil, demand: demands.host, ledger: ledger)
        (self.nvenc, self.nvdec, self.opencl, self.cpu, self.none) = (nvenc, nvdec, opencl, cpu, none)
        unretained = Unretained(
            nvenc: .passUnretained(nvenc), nvdec: .passUnretained(nvdec), opencl: .passUnretained(opencl),
            cpu: .passUnretained(cpu), none: .passUnretained(none))
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

    /// Lends the context for `path` without retaining it (the caller holds `self`, which holds the context).
    /// `withExtendedLifetime` still cost a retain and a release per candidate (about a tenth of `spool simulate`'s CPU
    /// time, measured); a guaranteed reference through `Unmanaged` costs none.
    func with<T>(_ path: DevicePath?, _ body: (CandidateContext) -> T) -> T {
        let context: Unmanaged<CandidateContext>
        switch path {
        case .nvenc?: context = unretained.nvenc
        case .nvdec?: context = unretained.nvdec
        case .opencl?: context = unretained.opencl
        case .cpu?: context = unretained.cpu
        case nil: context = unretained.none
        }
        return context._withUnsafeGuaranteedRef(body)
    }

    /// The same five contexts, unretained: loading one of these is a plain copy of a pointer.
    private struct Unretained {
        var nvenc, nvdec, opencl, cpu, none: Unmanaged<CandidateContext>
    }

    private let unretained: Unretained
}
