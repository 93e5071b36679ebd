import RESPClient

extension RedisJobStore {
    /// Tells the leading scheduler, in whichever process it runs, that there is news for a cycle (a job arrived, a
    /// slot freed), so it places now instead of at its next interval: one token left in its wake list for five
    /// seconds (the script that wakes workers, with one key); a token nobody took costs a later leader one early
    /// cycle, nothing more. Best effort, like the workers' wake-ups: a leader that misses the token still runs on its
    /// interval. Not replicated, not retried.
    public func wakeScheduler() async {
        _ = try? await client.run(
            script: RedisScripts.leaveWakeTokens, keys: [.init(keys.schedulerWake)], arguments: ["5000"], writes: false)
    }

    /// Waits up to `seconds` for a token `wakeScheduler` left; true when one came.
    public func waitForSchedulerWakeUp(seconds: Int) async throws -> Bool {
        let key = RESPArgument(keys.schedulerWake)
        let reply = try await client.blocking(["BLPOP", key, .init(seconds)], key: key)
        switch reply {
        case .null, .array(nil): return false
        default: return true
        }
    }
}
