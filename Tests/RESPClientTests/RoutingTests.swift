import Testing

@testable import RESPClient

@Suite struct RoutingTests {
    @Test func endpointsParseAsRedisPrintsThem() {
        #expect(RedisEndpoint(parsing: "127.0.0.1:7001") == RedisEndpoint(host: "127.0.0.1", port: 7001))
        #expect(RedisEndpoint(parsing: "::1:7001") == RedisEndpoint(host: "::1", port: 7001))
        #expect(RedisEndpoint(parsing: "[::1]:7001") == RedisEndpoint(host: "::1", port: 7001))
        #expect(RedisEndpoint(parsing: "10.0.0.5:7001@17001") == RedisEndpoint(host: "10.0.0.5", port: 7001))
        #expect(RedisEndpoint(parsing: ":7001", defaultHost: "10.1.1.1") == RedisEndpoint(host: "10.1.1.1", port: 7001))
        #expect(RedisEndpoint(parsing: ":7001") == nil)
        #expect(RedisEndpoint(parsing: "host") == nil)
        #expect(RedisEndpoint(parsing: "host:99999") == nil)
        #expect(RedisEndpoint(host: "::1", port: 6379).description == "[::1]:6379")
    }

    @Test func redirectionsAndRetryableReplies() {
        let moved = RedisReplyError(message: "MOVED 3999 127.0.0.1:6381")
        #expect(moved.code == "MOVED")
        #expect(
            moved.redirection(defaultHost: "x") == .moved(slot: 3999, to: RedisEndpoint(host: "127.0.0.1", port: 6381))
        )
        #expect(
            RedisReplyError(message: "ASK 3999 :6381").redirection(defaultHost: "10.0.0.1")
                == .ask(slot: 3999, to: RedisEndpoint(host: "10.0.0.1", port: 6381))
        )
        #expect(RedisReplyError(message: "MOVED nonsense").redirection(defaultHost: "x") == nil)
        #expect(RedisReplyError(message: "ERR wrong").redirection(defaultHost: "x") == nil)
        for retryable in [
            "TRYAGAIN Multiple keys request during rehashing of slot", "CLUSTERDOWN The cluster is down",
            "LOADING Redis is loading the dataset in memory", "READONLY You can't write against a read only replica.",
            "UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)",
        ] {
            #expect(RedisReplyError(message: retryable).isRetryable, "\(retryable)")
        }
        #expect(!RedisReplyError(message: "CROSSSLOT Keys in request don't hash to the same slot").isRetryable)
        #expect(!RedisReplyError(message: "OOM command not allowed when used memory > 'maxmemory'.").isRetryable)
        #expect(RedisReplyError(message: "WRONGTYPE Operation against a key").description.contains("data type"))
    }

    @Test func slotMapFromClusterSlots() throws {
        func node(_ host: String, _ port: Int64, _ id: String) -> RESPValue {
            .array([.bulkString(host), .integer(port), .bulkString(id), .map([])])
        }
        let reply = RESPValue.array([
            .array([.integer(0), .integer(5460), node("127.0.0.1", 7001, "a"), node("127.0.0.1", 7004, "d")]),
            .array([.integer(5461), .integer(10922), node("", 7002, "b")]),
            .array([.integer(10923), .integer(16383), node("127.0.0.1", 7003, "c")]),
        ])
        let map = try ClusterSlotMap(clusterSlots: reply, replyingHost: "10.9.9.9")
        #expect(map.masters.count == 3)
        #expect(map.master(forSlot: 0) == RedisEndpoint(host: "127.0.0.1", port: 7001))
        #expect(map.master(forSlot: 5461) == RedisEndpoint(host: "10.9.9.9", port: 7002))
        #expect(map.master(forSlot: 16383) == RedisEndpoint(host: "127.0.0.1", port: 7003))
        #expect(map.servedSlotCount == 16384)

        var patched = map
        patched.assign(slot: 0, to: RedisEndpoint(host: "127.0.0.1", port: 7003))
        #expect(patched.master(forSlot: 0) == RedisEndpoint(host: "127.0.0.1", port: 7003))
        #expect(patched.master(forSlot: 1) == RedisEndpoint(host: "127.0.0.1", port: 7001))

        let partial = try ClusterSlotMap(
            clusterSlots: .array([.array([.integer(0), .integer(9), node("127.0.0.1", 7001, "a")])]),
            replyingHost: "x"
        )
        #expect(partial.master(forSlot: 10) == nil)
        #expect(throws: RedisError.self) { try ClusterSlotMap(clusterSlots: .simpleString("OK"), replyingHost: "x") }
    }

    @Test func blockingCommandsDeclareHowLongTheyBlock() {
        #expect(BlockingCommand.classify(["BLPOP", "q", "5"]) == .blocks(for: .seconds(5)))
        #expect(BlockingCommand.classify(["brpop", "a", "b", "0.25"]) == .blocks(for: .milliseconds(250)))
        #expect(BlockingCommand.classify(["BLPOP", "q", "0"]) == .forever)
        #expect(BlockingCommand.classify(["BZPOPMIN", "z", "1"]) == .blocks(for: .seconds(1)))
        #expect(BlockingCommand.classify(["BLMOVE", "a", "b", "LEFT", "RIGHT", "2"]) == .blocks(for: .seconds(2)))
        #expect(BlockingCommand.classify(["BLMPOP", "3", "1", "a", "LEFT"]) == .blocks(for: .seconds(3)))
        #expect(BlockingCommand.classify(["WAIT", "1", "100"]) == .blocks(for: .milliseconds(100)))
        #expect(
            BlockingCommand.classify(["XREADGROUP", "GROUP", "g", "c", "BLOCK", "2000", "STREAMS", "s", ">"])
                == .blocks(for: .seconds(2))
        )
        #expect(BlockingCommand.classify(["XREAD", "COUNT", "1", "STREAMS", "s", "0"]) == .nonBlocking)
        // A stream named "BLOCK" is not the option.
        #expect(BlockingCommand.classify(["XREAD", "STREAMS", "BLOCK", "0"]) == .nonBlocking)
        #expect(BlockingCommand.classify(["BLPOP", "q", "soon"]) == .unknown)
        #expect(BlockingCommand.classify(["GET", "k"]) == .nonBlocking)
    }

    @Test(arguments: [
        ("", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
        ("abc", "a9993e364706816aba3e25717850c26c9cd0d89d"),
        ("The quick brown fox jumps over the lazy dog", "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12"),
        // What Redis 7.0.15 answers to SCRIPT LOAD "return 1".
        ("return 1", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db"),
        (String(repeating: "a", count: 1000), "291e9a6c66994949b57ba5e650361e98fc36b1ba"),
    ])
    func scriptSHA(_ source: String, _ sha: String) {
        #expect(RedisScript(source).sha1 == sha)
    }

    @Test func durationsReadWellInMessages() {
        #expect(Duration.milliseconds(250).shortDescription == "250ms")
        #expect(Duration.seconds(2).shortDescription == "2s")
        #expect(Duration.milliseconds(1500).shortDescription == "1.5s")
    }
}
