/// Which arguments of a command are keys, for cluster routing and the cross-slot check.
///
/// A small table of the commands whose keys are not simply the first argument; every other command is assumed to
/// take one key first, which holds for nearly all Redis data commands. Callers can always name the routing key
/// explicitly (`RedisClient.send(_:key:)`).
enum CommandKeys {
    static func keys(of command: [RESPArgument]) -> [RESPArgument] {
        indices(of: command).map { command[$0] }
    }

    static func indices(of command: [RESPArgument]) -> [Int] {
        guard let name = command.first?.string.uppercased() else { return [] }
        let count = command.count
        func all(from start: Int, dropLast: Int = 0) -> [Int] {
            start < count - dropLast ? Array(start..<(count - dropLast)) : []
        }
        /// `numkeys` at `index`, followed by that many keys.
        func counted(at index: Int) -> [Int] {
            guard index < count, let n = Int(command[index].string), n > 0 else { return [] }
            return Array((index + 1)..<min(index + 1 + n, count))
        }
        func within(_ indices: [Int]) -> [Int] { indices.filter { $0 < count } }

        switch name {
        case _ where keyless.contains(name):
            return []
        case "DEL", "UNLINK", "EXISTS", "TOUCH", "MGET", "WATCH", "SINTER", "SUNION", "SDIFF", "SINTERSTORE",
            "SUNIONSTORE", "SDIFFSTORE", "PFCOUNT", "PFMERGE":
            return all(from: 1)
        case "RENAME", "RENAMENX", "SMOVE", "LMOVE", "BLMOVE", "RPOPLPUSH", "BRPOPLPUSH", "COPY", "LCS",
            "GEOSEARCHSTORE", "ZRANGESTORE":
            return within([1, 2])
        case "BLPOP", "BRPOP", "BZPOPMIN", "BZPOPMAX":
            return all(from: 1, dropLast: 1)
        case "MSET", "MSETNX":
            return Array(stride(from: 1, to: count, by: 2))
        case "EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO", "FCALL", "FCALL_RO", "BLMPOP", "BZMPOP":
            return counted(at: 2)
        case "ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE":
            return within([1]) + counted(at: 2)
        case "ZUNION", "ZINTER", "ZDIFF", "ZINTERCARD", "SINTERCARD", "LMPOP", "ZMPOP":
            return counted(at: 1)
        case "BITOP":
            return all(from: 2)
        case "OBJECT", "XINFO", "XGROUP", "MEMORY":
            return within([2])
        case "XREAD", "XREADGROUP":
            // STREAMS k1 k2 … id1 id2 …: the first half after STREAMS are keys.
            guard let streams = command.firstIndex(where: { $0.string.uppercased() == "STREAMS" }) else { return [] }
            let rest = count - streams - 1
            return rest > 0 ? Array((streams + 1)..<(streams + 1 + rest / 2)) : []
        default:
            return within([1])
        }
    }

    /// Commands with no key: in a cluster any node answers them.
    private static let keyless: Set<String> = [
        "PING", "ECHO", "INFO", "TIME", "DBSIZE", "CLUSTER", "CONFIG", "CLIENT", "SCRIPT", "FUNCTION", "FLUSHALL",
        "FLUSHDB", "DEBUG", "WAIT", "WAITAOF", "MULTI", "EXEC", "DISCARD", "UNWATCH", "RANDOMKEY", "SCAN", "KEYS",
        "COMMAND", "ROLE", "HELLO", "AUTH", "SELECT", "ASKING", "READONLY", "READWRITE", "LASTSAVE", "SAVE", "BGSAVE",
        "BGREWRITEAOF", "SHUTDOWN", "SLOWLOG", "LATENCY", "PUBLISH", "SPUBLISH", "SUBSCRIBE", "PSUBSCRIBE", "ACL",
        "MONITOR", "QUIT", "RESET", "SWAPDB", "FAILOVER", "REPLICAOF", "SLAVEOF", "LOLWUT", "MODULE", "PUBSUB",
    ]
}
