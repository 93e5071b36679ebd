/// Which master serves each of the 16384 hash slots, as a cluster node last told us.
///
/// Built from `CLUSTER SLOTS` (available on every Redis 7; `CLUSTER SHARDS` carries the same routing facts).
/// Patched one slot at a time by `MOVED` replies between full refreshes.
struct ClusterSlotMap: Sendable, Equatable {
    private static let unassigned = UInt16.max

    /// Every master that owns at least one slot, in the order first seen.
    private(set) var masters: [RedisEndpoint] = []
    /// Index into `masters` per slot.
    private var owners = [UInt16](repeating: ClusterSlotMap.unassigned, count: HashSlot.count)

    init() {}

    /// - Parameter replyingHost: fills in a node whose address the server left empty, which Redis does for the node
    ///   that answers when it does not know its own address.
    init(clusterSlots reply: RESPValue, replyingHost: String) throws(RedisError) {
        guard let ranges = reply.array else { throw .unexpectedReply(command: "CLUSTER SLOTS", reply: reply) }
        for range in ranges {
            guard let fields = range.array, fields.count >= 3, let start = fields[0].int, let end = fields[1].int,
                HashSlot.range.contains(start), HashSlot.range.contains(end), start <= end,
                let master = fields[2].array, master.count >= 2, let host = master[0].string, let port = master[1].int
            else { throw .unexpectedReply(command: "CLUSTER SLOTS", reply: reply) }
            // "?" means the node has no known endpoint of the preferred type; leave those slots unserved.
            guard host != "?" else { continue }
            let endpoint = RedisEndpoint(host: host.isEmpty ? replyingHost : host, port: port)
            let index = indexOf(endpoint)
            for slot in start...end { owners[slot] = index }
        }
    }

    func master(forSlot slot: Int) -> RedisEndpoint? {
        let index = owners[slot]
        return index == Self.unassigned ? nil : masters[Int(index)]
    }

    /// The master for a command without keys.
    var anyMaster: RedisEndpoint? { masters.first }

    var servedSlotCount: Int { owners.lazy.filter { $0 != Self.unassigned }.count }

    mutating func assign(slot: Int, to endpoint: RedisEndpoint) {
        owners[slot] = indexOf(endpoint)
    }

    private mutating func indexOf(_ endpoint: RedisEndpoint) -> UInt16 {
        if let index = masters.firstIndex(of: endpoint) { return UInt16(index) }
        masters.append(endpoint)
        return UInt16(masters.count - 1)
    }
}
