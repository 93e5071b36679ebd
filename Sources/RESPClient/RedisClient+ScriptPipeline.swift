/// One script run many times in one pipeline: a thousand calls cost one round trip per node instead of a thousand.
extension RedisClient {
    /// Runs `script` once per call, by SHA (`EVALSHA`), pipelined like `pipeline(_:timeout:)`; the calls a server
    /// answers `NOSCRIPT` (its script cache was flushed) are sent once more with the source (`EVAL`), which caches it
    /// again. In a cluster each call's keys must share a slot; calls to different slots may go to different nodes.
    /// Scripts run this way are not waited on by replicas (`run(script:…)` is, for scripts that write).
    public func pipeline(
        script: RedisScript, calls: [(keys: [RESPArgument], arguments: [RESPArgument])], timeout: Duration? = nil
    ) async throws -> [Result<RESPValue, RedisError>] {
        var results = try await pipeline(
            calls.map { script.evalSHA(keys: $0.keys, arguments: $0.arguments) }, timeout: timeout)
        let uncached = results.indices.filter { index in
            if case .failure(.reply(let error)) = results[index], error.code == "NOSCRIPT" { return true }
            return false
        }
        guard !uncached.isEmpty else { return results }
        let retried = try await pipeline(
            uncached.map { script.eval(keys: calls[$0].keys, arguments: calls[$0].arguments) }, timeout: timeout)
        for (index, result) in zip(uncached, retried) { results[index] = result }
        return results
    }
}
