import Testing

@testable import RESPClient

@Suite struct HashSlotTests {
    @Test func crc16MatchesTheClusterSpecification() {
        // The cluster spec's reference vector: CRC16/XMODEM of "123456789" is 0x31C3.
        #expect(HashSlot.crc16(Array("123456789".utf8)) == 0x31C3)
        #expect(HashSlot.slot(for: "123456789") == 12739)
    }

    /// Slots as `CLUSTER KEYSLOT` reports them on Redis 7.0.15.
    @Test(arguments: [("foo", 12182), ("bar", 5061), ("hello", 866), ("", 0), ("{user1000}.following", 3443)])
    func knownSlots(_ key: String, _ slot: Int) {
        #expect(HashSlot.slot(for: key) == slot)
    }

    @Test func hashTagsFollowTheSpecification() {
        // Examples from the cluster spec's "Hash tags" section.
        #expect(HashSlot.slot(for: "{user1000}.following") == HashSlot.slot(for: "{user1000}.followers"))
        #expect(HashSlot.slot(for: "{user1000}.following") == HashSlot.slot(for: "user1000"))
        #expect(HashSlot.slot(for: "foo{bar}{zap}") == HashSlot.slot(for: "bar"))
        #expect(HashSlot.slot(for: "foo{{bar}}zap") == HashSlot.slot(for: "{bar"))
        #expect(HashSlot.slot(for: "foo{}{bar}") != HashSlot.slot(for: "bar"))
        #expect(Array(HashSlot.hashTag(of: Array("foo{}{bar}".utf8))) == Array("foo{}{bar}".utf8))
        #expect(Array(HashSlot.hashTag(of: Array("{a}b".utf8))) == Array("a".utf8))
        #expect(Array(HashSlot.hashTag(of: Array("open{only".utf8))) == Array("open{only".utf8))
        #expect(HashSlot.slot(for: RESPArgument("{t:1}:jobs")) == HashSlot.slot(for: "t:1"))
    }

    @Test func everySlotIsInRange() {
        for index in 0..<2000 {
            #expect(HashSlot.range.contains(HashSlot.slot(for: "key:\(index)")))
        }
    }

    @Test func commandKeys() {
        func keys(_ command: [RESPArgument]) -> [String] { CommandKeys.keys(of: command).map(\.string) }
        #expect(keys(["GET", "a"]) == ["a"])
        #expect(keys(["set", "a", "1", "EX", "5"]) == ["a"])
        #expect(keys(["MSET", "a", "1", "b", "2"]) == ["a", "b"])
        #expect(keys(["DEL", "a", "b", "c"]) == ["a", "b", "c"])
        #expect(keys(["BLPOP", "a", "b", "5"]) == ["a", "b"])
        #expect(keys(["EVALSHA", "abc", "2", "k1", "k2", "arg"]) == ["k1", "k2"])
        #expect(keys(["EVAL", "return 1", "0", "arg"]) == [])
        #expect(keys(["ZUNIONSTORE", "dst", "2", "a", "b", "WEIGHTS", "1", "2"]) == ["dst", "a", "b"])
        #expect(keys(["LMPOP", "2", "a", "b", "LEFT"]) == ["a", "b"])
        #expect(keys(["BLMOVE", "src", "dst", "LEFT", "RIGHT", "1"]) == ["src", "dst"])
        #expect(
            keys(["XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "s1", "s2", ">", ">"]) == ["s1", "s2"])
        #expect(keys(["XINFO", "STREAM", "s"]) == ["s"])
        #expect(keys(["BITOP", "AND", "dst", "a"]) == ["dst", "a"])
        #expect(keys(["PING"]) == [])
        #expect(keys(["CLUSTER", "SLOTS"]) == [])
        #expect(keys(["SCRIPT", "FLUSH"]) == [])
    }

    @Test func crossSlotCommandsAreRefusedBeforeSending() throws {
        #expect(try RedisClient.slot(of: ["MSET", "{t}a", "1", "{t}b", "2"], key: nil) == HashSlot.slot(for: "t"))
        #expect(try RedisClient.slot(of: ["PING"], key: nil) == nil)
        // A key the caller names replaces the table's guess (here: "x", the first argument).
        #expect(try RedisClient.slot(of: ["MODULE.CMD", "x", "{t}y"], key: "{t}y") == HashSlot.slot(for: "t"))
        let error = #expect(throws: RedisError.self) {
            try RedisClient.slot(of: ["MSET", "a", "1", "b", "2"], key: nil)
        }
        guard case .crossSlot(let command, let keys) = error else {
            Issue.record("expected crossSlot, got \(String(describing: error))")
            return
        }
        #expect(command == "MSET")
        #expect(keys == ["a", "b"])
        #expect("\(error!)".contains("same {hash tag}"))
    }
}
