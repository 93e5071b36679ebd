import RESPClient

/// The store's Lua scripts. Each touches keys of one shard only (one hash tag), so it runs on one Cluster node; the
/// one exception, `submitAndList`, is sent to a single server only.
enum RedisScripts {
    /// The oldest placement feed entry ID a write keeps: `window` ms before now by Redis's own clock, which also
    /// stamps the entries (no client's clock skew moves it). By time, not count, so a feed's memory follows the
    /// rate of changes and stays flat under a steady load; `~` lets Redis trim whole nodes of the stream only.
    static let placementFeedTrim = """
        local function oldestKept(window)
          local clock = redis.call('TIME')
          local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
          return string.format('%d', math.max(0, now - tonumber(window)))
        end

        """

    /// The body both submit scripts share, as Lua functions: `keyedJob(hash)` is the job the submission's key names
    /// in an idempotency hash while in its window (an entry is `ID\1CREATED_MS`, or a plain `ID` from older versions,
    /// which never expires); `submitJob(score, seq, queuedElsewhere)` creates a job unless its idempotency key
    /// already names one submitted within the idempotency window, or the tenant is at its queued-jobs quota.
    /// KEYS: idem hash, job hash, ready zset, the idem entries' creation times (zset), the tenant's queued set of
    /// this shard, the shard's placement feed. ARGV: idem field ('' for none), id, body, (4, 5: unused here, the
    /// callers' score and seq), the placement record (`QueuedJobRecord`), now (ms), the window (ms), the quota ('' for
    /// none), (10: unused here), the placement feed's window (ms). Each keyed submission also deletes up to 16
    /// entries older than the window, so the hash stays the size of one window's keys.
    /// Returns {1, id} when created, {0, existing id} for a replay (never refused by the quota), {2, queued} when
    /// the quota refused it. A created job is announced on the shard's placement feed, trimmed of entries older than
    /// the feed's window by Redis's clock (see `placementFeedTrim`).
    private static let submitJob = """
        local function keyedJob(hash)
          if ARGV[1] == '' then return nil end
          local existing = redis.call('HGET', hash, ARGV[1])
          if not existing then return nil end
          local separator = string.find(existing, '\\1', 1, true)
          if not separator then return existing end
          local created = tonumber(string.sub(existing, separator + 1))
          if tonumber(ARGV[7]) - created < tonumber(ARGV[8]) then return string.sub(existing, 1, separator - 1) end
          return nil
        end
        local function submitJob(score, seq, queuedElsewhere)
          local named = keyedJob(KEYS[1])
          if named then return {0, named} end
          if ARGV[9] ~= '' then
            local queued = redis.call('SCARD', KEYS[5]) + queuedElsewhere
            if queued >= tonumber(ARGV[9]) then return {2, queued} end
          end
          if ARGV[1] ~= '' then
            redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. '\\1' .. ARGV[7])
            redis.call('ZADD', KEYS[4], ARGV[7], ARGV[1])
            local cutoff = tonumber(ARGV[7]) - tonumber(ARGV[8])
            for _, field in ipairs(redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', '(' .. cutoff, 'LIMIT', 0, 16)) do
              redis.call('HDEL', KEYS[1], field)
              redis.call('ZREM', KEYS[4], field)
            end
          end
          redis.call('HSET', KEYS[2], 'v', 1, 'body', ARGV[3], 's', seq, 'sch', ARGV[6])
          redis.call('ZADD', KEYS[3], score, ARGV[2])
          redis.call('SADD', KEYS[5], ARGV[2])
          redis.call('XADD', KEYS[6], 'MINID', '~', oldestKept(ARGV[11]), '*',
            'j', ARGV[2], 'v', 1, 's', seq, 'r', ARGV[6])
          return {1, ARGV[2]}
        end

        """

    /// Creates a job (see `submitJob`) with the list sequence and ready score the caller read: the Cluster's way,
    /// where the sequence and the list indexes live in another slot than the shard. ARGV[4] is the ready score,
    /// ARGV[5] the sequence, ARGV[10] the tenant's queued jobs in the other shards.
    static let submit = RedisScript(
        placementFeedTrim + submitJob + """
            return submitJob(ARGV[4], ARGV[5], tonumber(ARGV[10]))
            """)

    /// Creates a job (see `submitJob`) and lists it in the same step, for a single server, where every key is on one
    /// node: the sequence is taken, the other shard's idempotency entry and the tenant's queued jobs in the other
    /// shards are read, and the list indexes and the upload's readers are written, all in one round trip instead of
    /// three, and atomically (no gateway killed in between can leave a job unlisted).
    /// KEYS[1...6] as `submitJob`, then 7: the list sequence, 8: all jobs, 9: the queued state's index, 10: the
    /// tenant's queued state's index, 11: the idempotency hash of the other shard a key may name its job in (KEYS[1]
    /// when none), 12: the upload's readers set (KEYS[8] when the input is no upload), 13 onwards: the tenant's queued
    /// sets in the other shards (when it has a quota). ARGV as `submitJob`, with ARGV[12]: the ready score of
    /// sequence 0 (the priority's part), ARGV[13]: '1' when KEYS[12] is a readers set.
    static let submitAndList = RedisScript(
        placementFeedTrim + submitJob + """
            local taken = redis.call('INCR', KEYS[7])
            local seq = string.format('%d', taken)
            if KEYS[11] ~= KEYS[1] then
              local named = keyedJob(KEYS[11])
              if named then return {0, named} end
            end
            local queuedElsewhere = 0
            if ARGV[9] ~= '' then
              for index = 13, #KEYS do queuedElsewhere = queuedElsewhere + redis.call('SCARD', KEYS[index]) end
            end
            local reply = submitJob(string.format('%.0f', tonumber(ARGV[12]) + taken), seq, queuedElsewhere)
            if reply[1] == 1 then
              redis.call('ZADD', KEYS[8], seq, ARGV[2])
              redis.call('ZADD', KEYS[9], seq, ARGV[2])
              redis.call('ZADD', KEYS[10], seq, ARGV[2])
              if ARGV[13] == '1' then redis.call('SADD', KEYS[12], ARGV[2]) end
            end
            return reply
            """)

    /// Writes a job's next state only if nobody changed it since it was read (compare-and-set on the version), and
    /// moves it between the shard's queues in the same step. This is the fenced commit: a stale attempt read an old
    /// version or fails the lifecycle check before it gets here. The body now carries any placement, so the
    /// separate placement field is dropped.
    /// KEYS: job hash, its ready zset, notbefore hash, running zset, placed zset of the previous placement's worker,
    /// the shard's placed zset, placed zset of the next placement's worker, the ready zset it was in before (another
    /// one when overload moved it to another pool).
    /// ARGV: expected version, body, new state, ready score, not-before ms (0: none), lease expiry ms, id,
    /// '1' when the next state is queued with a placement, placed-at ms, a new placement record ('' to keep it),
    /// a webhook delivery to queue ('' for none) and the ms it is due; KEYS[9] is the shard's webhook queue, KEYS[10]
    /// the job's tenant's queued set of the shard (the queued-jobs quota counts it, so it changes with the state),
    /// KEYS[11] the shard's expiry zset, ARGV[13] the end of a finished job's retention in ms ('' while unfinished).
    /// KEYS[12] is the shard's placement feed, trimmed of entries older than ARGV[14] ms; ARGV[15] is '1' when the job
    /// waited for placement before this write. A write that makes the job wait, or stop waiting, is announced on it.
    /// Returns 1 when written, 0 when the version moved on.
    static let compareAndSet = RedisScript(
        placementFeedTrim + """
            local v = redis.call('HGET', KEYS[1], 'v')
            if v ~= ARGV[1] then return 0 end
            redis.call('HSET', KEYS[1], 'v', tonumber(v) + 1, 'body', ARGV[2])
            redis.call('HDEL', KEYS[1], 'pl')
            redis.call('ZREM', KEYS[2], ARGV[7])
            redis.call('HDEL', KEYS[3], ARGV[7])
            redis.call('ZREM', KEYS[4], ARGV[7])
            redis.call('ZREM', KEYS[5], ARGV[7])
            redis.call('ZREM', KEYS[6], ARGV[7])
            redis.call('ZREM', KEYS[8], ARGV[7])
            if ARGV[10] ~= '' then redis.call('HSET', KEYS[1], 'sch', ARGV[10]) end
            if ARGV[11] ~= '' then
              redis.call('HSET', KEYS[1], 'wh', ARGV[11])
              redis.call('ZADD', KEYS[9], ARGV[12], ARGV[7])
            end
            if ARGV[13] ~= '' then
              redis.call('ZADD', KEYS[11], ARGV[13], ARGV[7])
            else
              redis.call('ZREM', KEYS[11], ARGV[7])
            end
            if ARGV[3] == 'queued' then
              redis.call('SADD', KEYS[10], ARGV[7])
              if ARGV[8] == '1' then
                redis.call('ZADD', KEYS[7], ARGV[4], ARGV[7])
                redis.call('ZADD', KEYS[6], ARGV[9], ARGV[7])
              else
                redis.call('ZADD', KEYS[2], ARGV[4], ARGV[7])
              end
              if tonumber(ARGV[5]) > 0 then redis.call('HSET', KEYS[3], ARGV[7], ARGV[5]) end
            else
              redis.call('SREM', KEYS[10], ARGV[7])
              if ARGV[3] == 'running' then redis.call('ZADD', KEYS[4], ARGV[6], ARGV[7]) end
            end
            local version = tonumber(v) + 1
            if ARGV[3] == 'queued' and ARGV[8] ~= '1' then
              local record = ARGV[10]
              if record == '' then record = redis.call('HGET', KEYS[1], 'sch') or '' end
              redis.call('XADD', KEYS[12], 'MINID', '~', oldestKept(ARGV[14]), '*', 'j', ARGV[7], 'v', version,
                's', redis.call('HGET', KEYS[1], 's') or '0', 'nb', ARGV[5], 'r', record)
            elseif ARGV[15] == '1' then
              redis.call('XADD', KEYS[12], 'MINID', '~', oldestKept(ARGV[14]), '*', 'j', ARGV[7], 'v', version)
            end
            return 1
            """)

    /// Deletes a finished job whose retention ended, with what its shard keeps for it, unless it left the expiry
    /// set (a retry) or its time moved past `now`. The idempotency entry goes only if it still names this job.
    /// KEYS: job hash, the shard's expiry zset, webhook queue, the job's placement explanation, idempotency hash,
    /// idempotency times. ARGV: job ID, now ms, idempotency field ('' when none).
    /// Returns 1 when deleted, 0 when kept.
    static let deleteExpired = RedisScript(
        """
        local at = redis.call('ZSCORE', KEYS[2], ARGV[1])
        if not at or tonumber(at) > tonumber(ARGV[2]) then return 0 end
        redis.call('DEL', KEYS[1], KEYS[4])
        redis.call('ZREM', KEYS[2], ARGV[1])
        redis.call('ZREM', KEYS[3], ARGV[1])
        if ARGV[3] ~= '' then
          local entry = redis.call('HGET', KEYS[5], ARGV[3])
          if entry and (entry == ARGV[1] or string.sub(entry, 1, #ARGV[1] + 1) == ARGV[1] .. '\\1') then
            redis.call('HDEL', KEYS[5], ARGV[3])
            redis.call('ZREM', KEYS[6], ARGV[3])
          end
        end
        return 1
        """)

    /// Commits a cycle's placements for one shard: each only if its job is still at the version the scheduler read
    /// (so still queued and unplaced); the placement goes in its own field, so the job body is not rewritten.
    /// KEYS: the shard's placed zset, its placement feed, then per job: job hash, its ready zset, the placed zset of
    /// its worker. ARGV: how long (ms) the feed keeps an entry, then per job: id, expected version, placement JSON,
    /// claim score, placed-at ms.
    /// Returns one 1 (committed) or 0 (stale) per job. The committed jobs stop waiting: one feed entry names them
    /// all, `p` = `ID VERSION ID VERSION …` (an entry per job would cost Redis more than the placement).
    static let placeBatch = RedisScript(
        placementFeedTrim + """
            local results = {}
            local placed = {}
            local n = (#ARGV - 1) / 5
            for i = 0, n - 1 do
              local job, ready, onWorker = KEYS[3 + i * 3], KEYS[4 + i * 3], KEYS[5 + i * 3]
              local id = ARGV[2 + i * 5]
              local current = redis.call('HMGET', job, 'v', 'pl')
              local v = current[1]
              if v == ARGV[3 + i * 5] and not current[2] then
                redis.call('HSET', job, 'v', tonumber(v) + 1, 'pl', ARGV[4 + i * 5])
                redis.call('ZREM', ready, id)
                redis.call('ZADD', onWorker, ARGV[5 + i * 5], id)
                redis.call('ZADD', KEYS[1], ARGV[6 + i * 5], id)
                results[#results + 1] = 1
                placed[#placed + 1] = id
                placed[#placed + 1] = tonumber(v) + 1
              else
                results[#results + 1] = 0
              end
            end
            if #placed > 0 then
              redis.call('XADD', KEYS[2], 'MINID', '~', oldestKept(ARGV[1]), '*', 'p', table.concat(placed, ' '))
            end
            return results
            """)

    /// Leaves one token in each wake list, expiring after a while: workers' (`RedisJobStore.wake`) or the scheduler's
    /// (`RedisJobStore.wakeScheduler`).
    /// KEYS: the wake lists, all of one slot. ARGV: how long (ms) a token stays.
    static let leaveWakeTokens = RedisScript(
        """
        for i = 1, #KEYS do
          redis.call('LPUSH', KEYS[i], '1')
          redis.call('LTRIM', KEYS[i], 0, 0)
          redis.call('PEXPIRE', KEYS[i], ARGV[1])
        end
        return #KEYS
        """)

    /// Reads what the placement feed carries of a shard's waiting jobs, for a snapshot: per job its version, record,
    /// list sequence and retry-backoff end, leaving out jobs placed meanwhile.
    /// KEYS: notbefore hash, then the job hashes. ARGV: the job IDs in KEYS order.
    /// Returns per job {version, record, sequence, not-before ms} (record false when absent; not-before '0' when
    /// none), or four false when left out.
    static let waitingRecords = RedisScript(
        """
        local result = {}
        for i = 2, #KEYS do
          local fields = redis.call('HMGET', KEYS[i], 'v', 'sch', 'pl', 's')
          if fields[1] and not fields[3] then
            result[#result + 1] = fields[1]
            result[#result + 1] = fields[2]
            result[#result + 1] = fields[4] or '0'
            result[#result + 1] = redis.call('HGET', KEYS[1], ARGV[i - 1]) or '0'
          else
            for _ = 1, 4 do result[#result + 1] = false end
          end
        end
        return result
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

    /// Reads the placement records of queued jobs of one shard in one step, leaving out jobs placed meanwhile and
    /// jobs still in their retry backoff.
    /// KEYS: notbefore hash, then the job hashes. ARGV: now ms, then the job IDs in KEYS order.
    /// Returns per job: {version, record} (record false when absent), or {false, false} when left out.
    static let queuedRecords = RedisScript(
        """
        local now = tonumber(ARGV[1])
        local result = {}
        for i = 2, #KEYS do
          local fields = redis.call('HMGET', KEYS[i], 'v', 'sch', 'pl')
          local waitUntil = redis.call('HGET', KEYS[1], ARGV[i])
          if fields[1] and not fields[3] and ((not waitUntil) or tonumber(waitUntil) <= now + 1) then
            result[#result + 1] = fields[1]
            result[#result + 1] = fields[2]
          else
            result[#result + 1] = false
            result[#result + 1] = false
          end
        end
        return result
        """)

    /// Replaces a field of a hash only if it exists (HSET would create it).
    /// KEYS: the hash. ARGV: field, value. Returns 1 when replaced, 0 when the field does not exist.
    static let replaceExisting = RedisScript(
        """
        if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
        return 1
        """)

    /// Appends an autoscaler decision to its pool's list and the shared one, trimming both.
    /// KEYS: the pool's list, the shared list. ARGV: entry, entries the pool's list keeps, entries the shared keeps.
    static let recordDecision = RedisScript(
        """
        redis.call('LPUSH', KEYS[1], ARGV[1])
        redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[2]) - 1)
        redis.call('LPUSH', KEYS[2], ARGV[1])
        redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[3]) - 1)
        return 1
        """)

    /// Creates a tenant unless the id is taken, and indexes its key hash.
    /// KEYS: tenants hash, key index hash. ARGV: id, body, key hash. Returns 1 when created, 0 when the id exists.
    static let createTenant = RedisScript(
        """
        if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 0 end
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
        redis.call('HSET', KEYS[2], ARGV[3], ARGV[1])
        return 1
        """)

    /// Replaces a tenant and moves its key index entry from the old hash to the new one (a rotated key).
    /// KEYS: tenants hash, key index hash. ARGV: id, body, old key hash, new key hash ('' to delete the tenant).
    /// Returns 1 when done, 0 when the tenant does not exist.
    static let replaceTenant = RedisScript(
        """
        if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
        redis.call('HDEL', KEYS[2], ARGV[3])
        if ARGV[4] == '' then
          redis.call('HDEL', KEYS[1], ARGV[1])
        else
          redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
          redis.call('HSET', KEYS[2], ARGV[4], ARGV[1])
        end
        return 1
        """)

    /// Adds to a tenant's daily usage and keeps the counters 400 days (the usage report reads past days; the quotas
    /// read only today). KEYS: usage hash. ARGV: the `TenantUsageFields` values in order (whole numbers where the
    /// field is a count), then the lifetime in seconds. Returns every field's value after the addition, in the same order.
    static let addUsage = RedisScript(
        """
        local fields = {'upload_bytes', 'gpu_seconds', 'jobs', 'cpu_seconds', 'cost', 'priced_attempts',
          'energy_joules', 'energy_attempts'}
        local counts = {upload_bytes = true, jobs = true, priced_attempts = true, energy_attempts = true}
        for i, field in ipairs(fields) do
          if tonumber(ARGV[i]) ~= 0 then
            if counts[field] then
              redis.call('HINCRBY', KEYS[1], field, ARGV[i])
            else
              redis.call('HINCRBYFLOAT', KEYS[1], field, ARGV[i])
            end
          end
        end
        redis.call('EXPIRE', KEYS[1], ARGV[#fields + 1])
        return redis.call('HMGET', KEYS[1], unpack(fields))
        """)

    /// GCRA over several keys at once with Redis's own clock: the requests count against every key only if every
    /// key allows them. KEYS: the limit keys (one hash tag). ARGV: per key, interval ms, tolerance ms and cost (how
    /// many requests this call asks for at once: a gateway may take a small batch and spend it locally).
    /// Returns, per key, {allowed 0/1, ms until allowed, ms the arrival time runs ahead of now}.
    static let rateLimit = RedisScript(
        """
        local clock = redis.call('TIME')
        local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
        local results = {}
        local allAllowed = true
        local tats = {}
        for i, key in ipairs(KEYS) do
          local interval = tonumber(ARGV[3 * i - 2])
          local tolerance = tonumber(ARGV[3 * i - 1])
          local cost = tonumber(ARGV[3 * i])
          local tat = tonumber(redis.call('GET', key) or now)
          if tat < now then tat = now end
          local allowAt = tat + interval * cost - tolerance
          if now < allowAt then
            allAllowed = false
            results[i] = {0, math.ceil(allowAt - now), math.ceil(tat - now)}
          else
            tats[i] = tat + interval * cost
            results[i] = {1, 0, math.ceil(tat + interval * cost - now)}
          end
        end
        if allAllowed then
          for i, key in ipairs(KEYS) do
            redis.call('SET', key, tostring(tats[i]), 'PX', math.ceil(tats[i] - now) + 1000)
          end
        end
        return results
        """)

    /// Leases the due deliveries of one shard's webhook queue: each moves to the lease's end, so no other sender
    /// takes it meanwhile, and comes due again by itself if this sender dies.
    /// KEYS: the webhook queue. ARGV: now ms, most to take, lease end ms. Returns the job IDs.
    static let claimWebhooks = RedisScript(
        """
        local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
        for _, id in ipairs(due) do redis.call('ZADD', KEYS[1], ARGV[3], id) end
        return due
        """)

    /// Records a delivery's status on its job and keeps it queued (pending) or takes it off the queue (settled),
    /// unless the job is gone.
    /// KEYS: job hash, the webhook queue. ARGV: delivery JSON, due ms ('' when settled), job ID.
    static let recordWebhook = RedisScript(
        """
        if redis.call('EXISTS', KEYS[1]) == 0 then
          redis.call('ZREM', KEYS[2], ARGV[3])
          return 0
        end
        redis.call('HSET', KEYS[1], 'wh', ARGV[1])
        if ARGV[2] == '' then
          redis.call('ZREM', KEYS[2], ARGV[3])
        else
          redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
        end
        return 1
        """)
}
