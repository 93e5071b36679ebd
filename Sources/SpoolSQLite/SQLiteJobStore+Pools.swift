import Foundation
import GRDB
import SpoolCore

extension SQLiteJobStore {
    public func pools() async throws -> [PoolSpec] {
        try await read { db in
            try String.fetchAll(db, sql: "SELECT body FROM pools ORDER BY name").map {
                try StoredJSON.decode(PoolSpec.self, from: $0, what: "pool spec")
            }
        }
    }

    public func createPool(_ pool: PoolSpec) async throws {
        let body = try StoredJSON.encode(pool)
        try await write { db in
            try db.execute(
                sql: "INSERT INTO pools (name, body) VALUES (?, ?) ON CONFLICT(name) DO NOTHING",
                arguments: [pool.name, body])
            guard db.changesCount == 1 else { throw PoolStoreError.exists(pool.name) }
        }
    }

    public func updatePool(_ pool: PoolSpec) async throws {
        let body = try StoredJSON.encode(pool)
        try await write { db in
            try db.execute(sql: "UPDATE pools SET body = ? WHERE name = ?", arguments: [body, pool.name])
            guard db.changesCount == 1 else { throw PoolStoreError.notFound(pool.name) }
        }
    }

    public func deletePool(named name: String) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM pools WHERE name = ?", arguments: [name])
        }
    }

    public func recordScalingDecision(_ record: ScalingRecord, keep: Int) async throws {
        try await write { db in
            try db.execute(
                sql: "INSERT INTO scaling_decisions (pool, time, body) VALUES (?, ?, ?)",
                arguments: [record.pool, record.time.timeIntervalSince1970, record.json])
            try db.execute(
                sql: """
                    DELETE FROM scaling_decisions WHERE pool = ? AND seq <= (
                        SELECT seq FROM scaling_decisions WHERE pool = ? ORDER BY seq DESC LIMIT 1 OFFSET ?)
                    """,
                arguments: [record.pool, record.pool, max(keep, 1)])
        }
    }

    public func scalingDecisions(pool: String?, limit: Int) async throws -> [ScalingRecord] {
        try await read { db in
            let rows: [Row]
            if let pool {
                rows = try Row.fetchAll(
                    db, sql: "SELECT pool, time, body FROM scaling_decisions WHERE pool = ? ORDER BY seq DESC LIMIT ?",
                    arguments: [pool, max(limit, 1)])
            } else {
                rows = try Row.fetchAll(
                    db, sql: "SELECT pool, time, body FROM scaling_decisions ORDER BY seq DESC LIMIT ?",
                    arguments: [max(limit, 1)])
            }
            return rows.map { row in
                ScalingRecord(
                    pool: row["pool"], time: Date(timeIntervalSince1970: row["time"]), json: row["body"])
            }
        }
    }

    public func recordDemand(_ samples: [DemandSample], pool: String, keepFrom: Date) async throws {
        try await write { db in
            for sample in samples {
                try db.execute(
                    sql: """
                        INSERT INTO demand_history (pool, start, peak) VALUES (?, ?, ?)
                        ON CONFLICT(pool, start) DO UPDATE SET peak = excluded.peak
                        """,
                    arguments: [pool, sample.start.timeIntervalSince1970, sample.peak])
            }
            try db.execute(
                sql: "DELETE FROM demand_history WHERE pool = ? AND start < ?",
                arguments: [pool, keepFrom.timeIntervalSince1970])
        }
    }

    public func demandHistory(pool: String) async throws -> [DemandSample] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT start, peak FROM demand_history WHERE pool = ? ORDER BY start", arguments: [pool]
            ).map { row in DemandSample(start: Date(timeIntervalSince1970: row["start"]), peak: row["peak"]) }
        }
    }
}
