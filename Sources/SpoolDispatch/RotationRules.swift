import SpoolCore

/// The constants that turn one rotation engine into plain round robin or into deficit round robin.
struct RotationRules: Sendable {
    var quantum: Double
    var weight: @Sendable (TenantID) -> Double
    var cost: @Sendable (WaitingJob) -> Double
    /// Deficit round robin lets a tenant carry unspent credit into its next turn (up to one turn plus its next
    /// job); round robin does not, so a tenant whose job could not be placed gets one job next time, not two.
    var carriesCredit: Bool

    /// One job per tenant per turn: a cost of 1 against a grant of 1.
    static var roundRobin: RotationRules {
        RotationRules(quantum: 1, weight: { _ in 1 }, cost: { _ in 1 }, carriesCredit: false)
    }

    static func weightedFair(_ configuration: DispatchConfiguration) -> RotationRules {
        RotationRules(
            quantum: configuration.quantum, weight: configuration.weight(of:), cost: \.chargeableCost,
            carriesCredit: true)
    }

    func grant(to tenant: TenantID) -> Double { quantum * weight(tenant) }

    /// The most credit a tenant may hold after a grant. Plain deficit round robin never exceeds this; the cap only
    /// bites when a tenant is passed over because its jobs did not fit, which must not bank unbounded credit.
    func creditCap(grant: Double, headCost: Double) -> Double { carriesCredit ? grant + headCost : grant }

    /// Tolerates rounding so costs like 0.1 + 0.2 are still affordable with a credit of 0.3.
    func affords(_ cost: Double, with credit: Double) -> Bool { cost <= credit + 1e-9 }
}
