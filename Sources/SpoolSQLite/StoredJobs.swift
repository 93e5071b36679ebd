import SpoolCore

/// Jobs decoded from their stored JSON, each decode kept while the row's text is unchanged. The scheduler reads every
/// waiting and running job five times a second and a worker's heartbeat reads its job twice a second, while a job's
/// text changes only on a transition or a heartbeat: decoding was the largest share of an embedded server's own CPU
/// time per job (bench/overhead). Shared by every store of the process; the text check makes that safe.
enum StoredJobs {
    static let memo = StoredJSONMemo<Job>(capacity: 4096)

    static func decode(_ body: String, id: String, what: @autoclosure () -> String) throws -> Job {
        try memo.decode(body, key: id, what: what())
    }
}
