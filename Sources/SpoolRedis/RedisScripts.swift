import RESPClient

/// The store's Lua scripts. Each touches keys of one shard only (one hash tag), so it runs on one Cluster node.
enum RedisScripts {
    /// Creates a job unless its idempotency key already names one.
    /// KEYS: idem hash, job hash, ready zset. ARGV: idem field ('' for none), id, body, score, seq.
    /// Returns {1, id} when created, {0, existing id} otherwise.
    static let submit = RedisScript(
        """
        if ARGV[1] ~= '' then
          local existing = redis.call('HGET', KEYS[1], ARGV[1])
          if existing then return {0, existing} end
          redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
        end
        redis.call('HSET', KEYS[2], 'v', 1, 'body', ARGV[3], 's', ARGV[5])
        redis.call('ZADD', KEYS[3], ARGV[4], ARGV[2])
        return {1, ARGV[2]}
        """)

    /// Writes a job's next state only if nobody changed it since it was read (compare-and-set on the version), and
    /// moves it between the shard's queues in the same step. This is the fenced commit: a stale attempt read an old
    /// version or fails the lifecycle check before it gets here.
    /// KEYS: job hash, its ready zset, notbefore hash, running zset.
    /// ARGV: expected version, body, new state, ready score, not-before ms (0: none), lease expiry ms, id.
    /// Returns 1 when written, 0 when the version moved on.
    static let compareAndSet = RedisScript(
        """
        local v = redis.call('HGET', KEYS[1], 'v')
        if v ~= ARGV[1] then return 0 end
        redis.call('HSET', KEYS[1], 'v', tonumber(v) + 1, 'body', ARGV[2])
        redis.call('ZREM', KEYS[2], ARGV[7])
        redis.call('HDEL', KEYS[3], ARGV[7])
        redis.call('ZREM', KEYS[4], ARGV[7])
        if ARGV[3] == 'queued' then
          redis.call('ZADD', KEYS[2], ARGV[4], ARGV[7])
          if tonumber(ARGV[5]) > 0 then redis.call('HSET', KEYS[3], ARGV[7], ARGV[5]) end
        elseif ARGV[3] == 'running' then
          redis.call('ZADD', KEYS[4], ARGV[6], ARGV[7])
        end
        return 1
        """)

    /// Lists the best claim candidates of one shard for a pool: its pinned queue and, when allowed, the shared
    /// queue, merged by score, skipping jobs still in retry backoff. Candidates only: the claim itself is a
    /// compare-and-set, so two workers that pick the same job cannot both win.
    /// KEYS: pinned ready zset, shared ready zset, notbefore hash. ARGV: now ms, max candidates, accepts shared.
    /// Returns {id, score, id, score, …}, best first; scores compare across shards.
    static let candidates = RedisScript(
        """
        local found = {}
        local function scan(key)
          local entries = redis.call('ZRANGE', key, 0, 199, 'WITHSCORES')
          for i = 1, #entries, 2 do
            local waitUntil = redis.call('HGET', KEYS[3], entries[i])
            if (not waitUntil) or tonumber(waitUntil) <= tonumber(ARGV[1]) + 1 then
              table.insert(found, {entries[i], tonumber(entries[i + 1]), entries[i + 1]})
            end
          end
        end
        scan(KEYS[1])
        if ARGV[3] == '1' then scan(KEYS[2]) end
        table.sort(found, function(a, b) return a[2] < b[2] end)
        local result = {}
        for i = 1, math.min(#found, tonumber(ARGV[2])) do
          table.insert(result, found[i][1])
          -- The score exactly as Redis printed it: Lua's tostring would round it to 14 digits.
          table.insert(result, found[i][3])
        end
        return result
        """)
}
