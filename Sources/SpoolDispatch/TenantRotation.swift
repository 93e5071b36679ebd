import SpoolCore

/// Deficit round robin over the tenants of one service class, kept across scheduling cycles. Tenants take turns in
/// the order of their IDs; on its turn a tenant earns its grant and dispatches jobs while its credit covers the
/// next job's cost. With unit costs, unit weights and no carried credit this is exactly round robin.
///
/// Ordering only reads this state: a scheduling cycle places just some of the jobs it is offered, so the state
/// advances through `charge` for the jobs that were placed, walking the turns the way the ordering did.
struct TenantRotation: Sendable, Equatable {
    /// The tenant whose turn is in progress, or was last.
    private(set) var turn: TenantID?
    /// Whether `turn` has had its grant for the turn in progress.
    private(set) var turnGranted = false
    /// Credit of the tenants not kept in `ringCredits` (all of them while it is empty); `allCredits` has everyone's.
    private(set) var credits: [TenantID: Double] = [:]
    /// Tenants with work at the last ordering and the cost of each one's next job: the turns a charge walks.
    private(set) var backlog: [TenantID: Double] = [:]
    /// The backlog's tenants in ring order, sorted once per ordering rather than once per charged job, with each
    /// one's grant, credit cap and credit beside it: every placed job is charged, and a charge that walked the ring
    /// by tenant ID hashed each tenant passed three times (its weight, its backlog, its credit).
    private var backlogRing: [TenantID] = []
    private var ringGrants: [Double] = []
    private var ringCaps: [Double] = []
    /// Empty until an ordering with rules, and again after a charge for a tenant outside the ring.
    private var ringCredits: [Double] = []

    /// A tenant whose queue emptied starts from zero next time, as in deficit round robin: idle tenants do not bank
    /// credit, and a debt from jobs placed out of turn is forgiven once the tenant has caught up.
    mutating func observe(backlog heads: [TenantID: Double], rules: RotationRules? = nil) {
        var kept = allCredits.filter { heads[$0.key] != nil }
        backlog = heads
        backlogRing = Self.ringOrder(of: heads.keys)
        if let rules {
            ringGrants = backlogRing.map(rules.grant(to:))
            ringCaps = zip(backlogRing, ringGrants).map { rules.creditCap(grant: $1, headCost: heads[$0]!) }
            ringCredits = backlogRing.map { kept.removeValue(forKey: $0) ?? 0 }
        } else {
            (ringGrants, ringCaps, ringCredits) = ([], [], [])
        }
        credits = kept
    }

    /// Every tenant's credit, wherever it is kept.
    var allCredits: [TenantID: Double] {
        guard !ringCredits.isEmpty else { return credits }
        var all = credits
        for (tenant, credit) in zip(backlogRing, ringCredits) { all[tenant] = credit }
        return all
    }

    /// All queued jobs in the order the rotation serves them. `queues` holds each tenant's jobs best first.
    ///
    /// Each tenant's next serving turn is computed from its credit rather than visited turn by turn, so a tenant
    /// whose jobs cost many grants does not cost many empty turns: O(jobs × log tenants).
    func interleave(_ queues: [TenantID: [WaitingJob]], rules: RotationRules) -> [WaitingJob] {
        let ring = Self.ringOrder(of: queues.keys)
        guard !ring.isEmpty else { return [] }
        let (start, startGranted) = startingPoint(in: ring)
        let tenants = (0..<ring.count).map { ring[(start + $0) % ring.count] }
        let jobs = tenants.map { queues[$0] ?? [] }
        // Each tenant's grant, worked out once: a tenant's weight is looked up by its ID.
        let grants = tenants.map(rules.grant(to:))
        var next = [Int](repeating: 0, count: tenants.count)
        let credits = allCredits
        var credit = tenants.map { credits[$0] ?? 0 }
        // The last round in which each tenant was granted; -1 means not yet in this ordering.
        var grantedRound = tenants.indices.map { $0 == 0 && startGranted ? 0.0 : -1.0 }

        // Rounds are Doubles: a job costing many grants may be millions of rounds away, and Doubles count whole
        // rounds exactly far beyond that.
        func servingRound(of position: Int) -> Double {
            let cost = rules.cost(jobs[position][next[position]])
            let grant = grants[position]
            let grantsNeeded =
                rules.affords(cost, with: credit[position])
                ? 0 : max(1, ((cost - credit[position]) / grant).rounded(.up))
            return max(0, grantedRound[position] + grantsNeeded)
        }

        var turns = MinimumHeap<(round: Double, position: Int)> { ($0.round, $0.position) < ($1.round, $1.position) }
        for position in tenants.indices where !jobs[position].isEmpty {
            turns.push((servingRound(of: position), position))
        }
        var order: [WaitingJob] = []
        order.reserveCapacity(jobs.reduce(0) { $0 + $1.count })
        while let (round, position) = turns.popMinimum() {
            let rounds = round - grantedRound[position]
            if rounds > 0 {
                let cap = rules.creditCap(grant: grants[position], headCost: rules.cost(jobs[position][next[position]]))
                credit[position] = min(cap, credit[position] + rounds * grants[position])
                grantedRound[position] = round
            }
            while next[position] < jobs[position].count {
                let job = jobs[position][next[position]]
                guard rules.affords(rules.cost(job), with: credit[position]) else { break }
                order.append(job)
                credit[position] -= rules.cost(job)
                next[position] += 1
            }
            if next[position] < jobs[position].count {
                turns.push((max(round + 1, servingRound(of: position)), position))
            }
        }
        return order
    }

    /// Records that `job` was placed: the turns pass to its tenant (granting every tenant passed on the way, as
    /// the ordering did) and its cost is spent. A job placed before its turn came, because the jobs ahead of it
    /// did not fit, leaves its tenant in debt, which later turns repay.
    mutating func charge(_ job: WaitingJob, rules: RotationRules) {
        let tenant = job.tenant
        let cost = rules.cost(job)
        if !ringCredits.isEmpty, let target = backlogRing.firstIndex(of: tenant) {
            Self.walk(
                from: startingPoint(in: backlogRing), to: target, grants: ringGrants, caps: ringCaps,
                credits: &ringCredits, cost: cost, rules: rules)
        } else {
            // A tenant outside the last ordering (or a charge before any ordering with rules): the same walk over a
            // ring that includes it, each cap from the tenant's backlog or else this job's cost. Credits are kept by
            // tenant ID from here until the next ordering.
            var all = allCredits
            ringCredits = []
            let ring = backlogRing.contains(tenant) ? backlogRing : Self.ringOrder(of: backlogRing + [tenant])
            let grants = ring.map(rules.grant(to:))
            let caps = zip(ring, grants).map { rules.creditCap(grant: $1, headCost: backlog[$0] ?? cost) }
            var credit = ring.map { all[$0] ?? 0 }
            Self.walk(
                from: startingPoint(in: ring), to: ring.firstIndex(of: tenant)!, grants: grants, caps: caps,
                credits: &credit, cost: cost, rules: rules)
            for (tenant, credit) in zip(ring, credit) { all[tenant] = credit }
            credits = all
        }
        turn = tenant
        turnGranted = true
    }

    /// Passes the turns from the current one (`start`, in the ring the arrays follow) to `target`'s, granting each
    /// tenant passed (capped), then spends `cost` from its credit. Stays on `target` while its turn is under way and
    /// its credit covers the cost. Static, so that a charge passing the rotation's own credits in does not copy the
    /// rotation, and with it those credits, for every job placed.
    private static func walk(
        from start: (index: Int, granted: Bool), to target: Int, grants: [Double], caps: [Double],
        credits: inout [Double], cost: Double, rules: RotationRules
    ) {
        var index = start.index
        if !start.granted { add(grants[index], upTo: caps[index], to: &credits[index]) }
        if index != target || !rules.affords(cost, with: credits[target]) {
            repeat {
                index = (index + 1) % grants.count
                add(grants[index], upTo: caps[index], to: &credits[index])
            } while index != target
        }
        credits[target] -= cost
    }

    private static func add(_ grant: Double, upTo cap: Double, to credit: inout Double) {
        credit = min(cap, credit + grant)
    }

    /// Where the next turn starts: the current tenant if it still has work, else the next one after it.
    private func startingPoint(in ring: [TenantID]) -> (index: Int, granted: Bool) {
        guard let turn else { return (0, false) }
        if let index = ring.firstIndex(of: turn) { return (index, turnGranted) }
        return (ring.firstIndex { $0.rawValue > turn.rawValue } ?? 0, false)
    }

    private static func ringOrder(of tenants: some Sequence<TenantID>) -> [TenantID] {
        tenants.sorted { $0.rawValue < $1.rawValue }
    }
}
