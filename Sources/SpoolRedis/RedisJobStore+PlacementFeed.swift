import Foundation
import RESPClient
import SpoolCore

/// The placement feed on Redis: a stream per shard (`RedisKeys.placementFeed`), appended to by the scripts
/// that submit, transition and place jobs, in the same atomic step as the job itself. An entry is one of
///
///     j ID  v VERSION  s SEQUENCE  nb NOT_BEFORE_MS  r RECORD   the job waits (a `QueuedJobRecord`)
///     j ID  v VERSION                                          the job stopped waiting
///     p "ID VERSION ID VERSION …"                              a placement batch: these jobs stopped waiting
///
/// A cursor holds one entry ID per shard (`PlacementFeedPosition.covers` says when the stream still covers it).
extension RedisJobStore: PlacementFeed {
    /// Records read per script in a snapshot: bounded so one script never stalls Redis for long.
    static let snapshotBatch = 1000

    public func waitingSnapshot(pools: Set<String>) async throws -> WaitingSnapshot {
        // The cursor first: a change made while the jobs are read is then replayed, never lost.
        let streams = try await feedStreams()
        let cursor = PlacementFeedCursor(positions: streams.map { ($0?.lastGenerated ?? .start).text })
        // Queued unplaced jobs sit in the shared queue or their pool's.
        let queues: [String?] = [nil] + pools.sorted()
        var ranges: [[RESPArgument]] = []
        var shardOfRange: [Int] = []
        for shard in 0..<keys.shards {
            for pool in queues {
                ranges.append(["ZRANGE", .init(keys.ready(shard: shard, pool: pool)), "0", "-1"])
                shardOfRange.append(shard)
            }
        }
        var idsByShard: [Int: [String]] = [:]
        for (shard, reply) in zip(shardOfRange, try await pipelined(ranges)) {
            idsByShard[shard, default: []] += reply.array?.compactMap(\.string) ?? []
        }
        var jobs: [PlacementFeedJob] = []
        var unreadable: [JobID] = []
        try await withThrowingTaskGroup(of: ([PlacementFeedJob], [JobID]).self) { group in
            for (shard, ids) in idsByShard {
                for start in stride(from: 0, to: ids.count, by: Self.snapshotBatch) {
                    let chunk = Array(ids[start..<min(start + Self.snapshotBatch, ids.count)])
                    group.addTask { try await self.waitingRecords(chunk, shard: shard) }
                }
            }
            for try await (found, missing) in group {
                jobs += found
                unreadable += missing
            }
        }
        for id in unreadable {
            if case .waiting(let waiting)? = try await currentPlacementChange(of: id) { jobs.append(waiting) }
        }
        return WaitingSnapshot(jobs: jobs, cursor: cursor)
    }

    public func placementChanges(after cursor: PlacementFeedCursor, limit: Int) async throws -> PlacementChanges? {
        guard cursor.positions.count == keys.shards else { return nil }
        let positions = cursor.positions.compactMap(PlacementFeedPosition.init)
        guard positions.count == keys.shards else { return nil }
        // One pipeline: each shard's entries, then whether its stream still covers the cursor. Read in that order, a
        // trim that removed an entry before the XRANGE shows after it (a trim between the two only costs a snapshot).
        var commands: [[RESPArgument]] = []
        for shard in 0..<keys.shards {
            let feed = RESPArgument(keys.placementFeed(shard: shard))
            let position = RESPArgument(cursor.positions[shard])
            commands.append(["XRANGE", feed, .init("(" + cursor.positions[shard]), "+", "COUNT", .init(max(1, limit))])
            commands.append(["XRANGE", feed, position, position])
            commands.append(["XINFO", "STREAM", feed])
        }
        let replies = try await client.pipeline(commands)
        var changes: [PlacementChange] = []
        var unreadable: [JobID] = []
        var next = cursor.positions
        for shard in 0..<keys.shards {
            let entries = try replies[shard * 3].mapError(StoreError.from).get()
            let cursorEntry = try replies[shard * 3 + 1].mapError(StoreError.from).get()
            let stream = try Self.feedStream(replies[shard * 3 + 2])
            let covered = PlacementFeedPosition.covers(
                positions[shard], cursorEntryExists: !(cursorEntry.array?.isEmpty ?? true), stream: stream)
            guard covered else { return nil }
            for entry in entries.array ?? [] {
                guard let parts = entry.array, parts.count == 2, let id = parts[0].string, let fields = parts[1].array
                else { throw StoreError.corrupt("unexpected placement feed entry \(entry)") }
                switch try Self.placementChanges(in: fields) {
                case .changes(let found): changes += found
                case .unreadable(let job): unreadable.append(job)
                }
                next[shard] = id
            }
        }
        // A job without a readable record (written by an older Spool): its current state, read in full, is at least
        // as new as its entries, so it goes after them.
        for id in unreadable {
            if let change = try await currentPlacementChange(of: id) { changes.append(change) }
        }
        return PlacementChanges(changes: changes, cursor: PlacementFeedCursor(positions: next))
    }

    /// Each shard's feed stream as XINFO STREAM describes it; nil for one that does not exist.
    func feedStreams() async throws -> [PlacementFeedStream?] {
        let replies = try await client.pipeline(
            (0..<keys.shards).map { ["XINFO", "STREAM", .init(keys.placementFeed(shard: $0))] })
        return try replies.map(Self.feedStream)
    }

    /// XINFO STREAM's reply (a flat list under RESP2, a map under RESP3); nil when the stream does not exist.
    static func feedStream(_ reply: Result<RESPValue, RedisError>) throws -> PlacementFeedStream? {
        let value: RESPValue
        switch reply {
        case .success(let success): value = success
        case .failure(.reply(let error)) where error.message.localizedCaseInsensitiveContains("no such key"):
            return nil
        case .failure(let error): throw StoreError.from(error)
        }
        var pairs: [(String, RESPValue)] = []
        if case .map(let entries) = value {
            pairs = entries.compactMap { pair in pair.key.string.map { ($0, pair.value) } }
        } else if let flat = value.array {
            pairs = stride(from: 0, to: flat.count - 1, by: 2).compactMap { index in
                flat[index].string.map { ($0, flat[index + 1]) }
            }
        }
        var lastGenerated: PlacementFeedPosition?
        var entriesAdded: Int?
        var length: Int?
        for (name, field) in pairs {
            switch name {
            case "last-generated-id": lastGenerated = field.string.flatMap(PlacementFeedPosition.init)
            case "entries-added": entriesAdded = field.int
            case "length": length = field.int
            default: continue
            }
        }
        guard let lastGenerated, let entriesAdded, let length else {
            throw StoreError.corrupt("XINFO STREAM without what a placement feed needs (Redis 7 or later)")
        }
        return PlacementFeedStream(lastGenerated: lastGenerated, entriesAdded: entriesAdded, length: length)
    }

    /// What one feed entry says: its changes, or a job whose record could not be read.
    enum FeedEntry {
        case changes([PlacementChange])
        case unreadable(JobID)
    }

    /// The changes one feed entry holds (its fields as XRANGE returns them, name then value).
    static func placementChanges(in fields: [RESPValue]) throws -> FeedEntry {
        var name: String?
        var version: Int?
        var sequence: String?
        var notBefore: String?
        var record: RESPValue?
        var placed: String?
        for index in stride(from: 0, to: fields.count - 1, by: 2) {
            // Names compared on their bytes: a leader reads thousands of entries a second.
            switch fields[index].withUnsafeStringBytes(FeedField.init) ?? nil {
            case .job: name = fields[index + 1].string
            case .version: version = fields[index + 1].int
            case .sequence: sequence = fields[index + 1].string
            case .notBefore: notBefore = fields[index + 1].string
            case .record: record = fields[index + 1]
            case .placed: placed = fields[index + 1].string
            case nil: continue
            }
        }
        if let placed {
            let words = placed.split(separator: " ")
            return .changes(
                stride(from: 0, to: words.count - 1, by: 2).compactMap { index in
                    Int(words[index + 1]).map { .stopped(JobID(rawValue: String(words[index])), version: $0) }
                })
        }
        guard let name, let version else { throw StoreError.corrupt("placement feed entry without a job: \(fields)") }
        let id = JobID(rawValue: name)
        guard let record, !record.isNull else { return .changes([.stopped(id, version: version)]) }
        let decoded = record.withUnsafeStringBytes { QueuedJobRecord.decode($0, id: id, version: version) } ?? nil
        guard let queued = decoded else { return .unreadable(id) }
        return .changes([.waiting(Self.waitingJob(queued, sequence: sequence, notBefore: notBefore))])
    }

    /// The names of a feed entry's fields (see the type's documentation).
    enum FeedField {
        case job, version, sequence, notBefore, record, placed

        init?(_ name: UnsafeRawBufferPointer) {
            switch (name.count, name.first) {
            case (1, UInt8(ascii: "j")): self = .job
            case (1, UInt8(ascii: "v")): self = .version
            case (1, UInt8(ascii: "s")): self = .sequence
            case (1, UInt8(ascii: "r")): self = .record
            case (1, UInt8(ascii: "p")): self = .placed
            case (2, UInt8(ascii: "n")) where name[1] == UInt8(ascii: "b"): self = .notBefore
            default: return nil
            }
        }
    }

    static func waitingJob(_ queued: QueuedJob, sequence: String?, notBefore: String?) -> PlacementFeedJob {
        let notBeforeMillis = notBefore.flatMap(Int.init) ?? 0
        return PlacementFeedJob(
            job: queued, sequence: sequence.flatMap(Int.init) ?? 0,
            notBefore: notBeforeMillis > 0 ? Date(timeIntervalSince1970: Double(notBeforeMillis) / 1000) : nil)
    }

    /// What the feed would say of a job now, read in full; nil when it is gone.
    func currentPlacementChange(of id: JobID) async throws -> PlacementChange? {
        guard let versioned = try await read(id), let version = Int(versioned.version) else { return nil }
        let job = versioned.job
        guard job.state == .queued, job.placement == nil else { return .stopped(id, version: version) }
        return .waiting(
            PlacementFeedJob(
                job: QueuedJob(job, version: version), sequence: versioned.sequence, notBefore: job.notBefore))
    }

    /// The waiting jobs among `ids` (all of `shard`) with what the feed carries of them, and the jobs without a
    /// readable record.
    func waitingRecords(_ ids: [String], shard: Int) async throws -> ([PlacementFeedJob], [JobID]) {
        let reply = try await call {
            try await client.run(
                script: RedisScripts.waitingRecords,
                keys: [.init(keys.notBefore(shard: shard))] + ids.map { .init(keys.job(JobID(rawValue: $0))) },
                arguments: ids.map { .init($0) }, writes: false)
        }
        let values = reply.array ?? []
        var found: [PlacementFeedJob] = []
        var unreadable: [JobID] = []
        for (position, name) in ids.enumerated() where position * 4 + 3 < values.count {
            let fields = values[(position * 4)..<(position * 4 + 4)].map(\.string)
            guard let version = fields[0].flatMap(Int.init) else { continue }
            let id = JobID(rawValue: name)
            if let record = fields[1], let queued = QueuedJobRecord.decode(record, id: id, version: version) {
                found.append(Self.waitingJob(queued, sequence: fields[2], notBefore: fields[3]))
            } else {
                unreadable.append(id)
            }
        }
        return (found, unreadable)
    }
}
