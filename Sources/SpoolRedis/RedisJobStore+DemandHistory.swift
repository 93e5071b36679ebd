import Foundation
import RESPClient
import SpoolCore

extension RedisJobStore {
    public func recordDemand(_ samples: [DemandSample], pool: String, keepFrom: Date) async throws {
        var arguments: [RESPArgument] = [.init(Self.seconds(keepFrom))]
        for sample in samples {
            arguments += [.init(Self.seconds(sample.start)), .init(String(sample.peak))]
        }
        try await call {
            try await client.run(
                script: Self.recordDemandScript, keys: [.init(keys.demandHistory(pool: pool))], arguments: arguments)
        }
    }

    public func demandHistory(pool: String) async throws -> [DemandSample] {
        let members =
            try await call {
                try await client.send(["ZRANGE", .init(keys.demandHistory(pool: pool)), "0", "-1"])
            }.array ?? []
        return members.compactMap(\.string).compactMap { member in
            let parts = member.split(separator: ":")
            guard parts.count == 2, let start = Double(parts[0]), let peak = Double(parts[1]) else { return nil }
            return DemandSample(start: Date(timeIntervalSince1970: start), peak: peak)
        }
    }

    /// Seconds since 1970 as Redis scores and members carry them: whole milliseconds, so a start reads back equal.
    static func seconds(_ date: Date) -> String {
        String(format: "%.3f", date.timeIntervalSince1970)
    }

    /// Replaces each interval's sample and drops those that started before the cut-off, in one step.
    /// KEYS: the pool's sorted set. ARGV: the cut-off (seconds), then start and peak of each sample.
    static let recordDemandScript = RedisScript(
        """
        for i = 2, #ARGV - 1, 2 do
          redis.call('ZREMRANGEBYSCORE', KEYS[1], ARGV[i], ARGV[i])
          redis.call('ZADD', KEYS[1], ARGV[i], ARGV[i] .. ':' .. ARGV[i + 1])
        end
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1])
        return 1
        """)
}
