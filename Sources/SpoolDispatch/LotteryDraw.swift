import SpoolCore

/// Lottery scheduling: each pick draws a tenant with probability proportional to its tickets (its weight), then
/// takes that tenant's best job. A Fenwick tree over the tickets keeps each draw at O(log tenants).
enum LotteryDraw {
    /// Tickets per unit of weight, so fractional weights like 1.5 still count.
    static let ticketsPerWeight = 1000.0

    static func interleave(
        _ queues: [TenantID: [WaitingJob]], weight: (TenantID) -> Double,
        using random: inout some RandomNumberGenerator
    ) -> [WaitingJob] {
        let tenants = queues.keys.sorted { $0.rawValue < $1.rawValue }
        let jobs = tenants.map { queues[$0] ?? [] }
        // Capped so the total of a million tenants' tickets still fits in 64 bits.
        let tickets = tenants.map { UInt64(min(1e12, max(1, (weight($0) * ticketsPerWeight).rounded()))) }
        var tree = TicketTree(tickets: tickets)
        var next = [Int](repeating: 0, count: tenants.count)
        for index in tenants.indices where jobs[index].isEmpty {
            tree.remove(index, tickets: tickets[index])
        }
        var order: [WaitingJob] = []
        order.reserveCapacity(jobs.reduce(0) { $0 + $1.count })
        while tree.total > 0 {
            let index = tree.holder(of: UInt64.random(in: 0..<tree.total, using: &random))
            order.append(jobs[index][next[index]])
            next[index] += 1
            if next[index] == jobs[index].count {
                tree.remove(index, tickets: tickets[index])
            }
        }
        return order
    }
}

/// Prefix sums of tickets (a Fenwick tree): find who holds ticket `n` and retire a tenant, both in O(log n).
struct TicketTree {
    private var sums: [UInt64]
    private(set) var total: UInt64 = 0

    init(tickets: [UInt64]) {
        sums = [UInt64](repeating: 0, count: tickets.count + 1)
        for (index, count) in tickets.enumerated() {
            add(count, at: index)
        }
    }

    private mutating func add(_ count: UInt64, at index: Int) {
        total += count
        var node = index + 1
        while node < sums.count {
            sums[node] += count
            node += node & -node
        }
    }

    mutating func remove(_ index: Int, tickets count: UInt64) {
        total -= count
        var node = index + 1
        while node < sums.count {
            sums[node] -= count
            node += node & -node
        }
    }

    /// The index whose tickets cover `ticket` (0-based, below `total`).
    func holder(of ticket: UInt64) -> Int {
        var position = 0
        var remaining = ticket
        var step = 1
        while step * 2 < sums.count { step *= 2 }
        while step > 0 {
            let candidate = position + step
            if candidate < sums.count, sums[candidate] <= remaining {
                position = candidate
                remaining -= sums[candidate]
            }
            step /= 2
        }
        return position
    }
}
