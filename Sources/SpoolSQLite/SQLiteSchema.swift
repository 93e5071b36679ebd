import GRDB

/// The store's schema as an ordered list of migrations. Append new migrations; never edit a shipped one, because
/// databases in the field have already run it.
enum SQLiteSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-jobs-and-workers") { db in
            // `seq` is the rowid: it orders jobs stably for cursors, and AUTOINCREMENT keeps a deleted job's
            // number from being reused, so a cursor handed out earlier never skips or repeats a row.
            // `body` holds the whole `Job` as JSON; the other columns copy the fields queries filter or sort on.
            // `pool` is the spec's pinned pool (NULL for any pool), not the pool the job last ran on.
            try db.execute(
                sql: """
                    CREATE TABLE jobs (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        id TEXT NOT NULL UNIQUE,
                        tenant TEXT NOT NULL,
                        state TEXT NOT NULL,
                        priority INTEGER NOT NULL,
                        service_class TEXT NOT NULL,
                        pool TEXT,
                        idempotency_key TEXT,
                        created_at REAL NOT NULL,
                        updated_at REAL NOT NULL,
                        not_before REAL NOT NULL,
                        lease_expires_at REAL,
                        worker TEXT,
                        attempt INTEGER NOT NULL,
                        body TEXT NOT NULL
                    );

                    -- Enforces idempotency even if two writers raced past the lookup.
                    CREATE UNIQUE INDEX jobs_idempotency ON jobs(tenant, idempotency_key)
                        WHERE idempotency_key IS NOT NULL;

                    -- The claim query walks this in order and stops at the first ready job. Partial, so finished
                    -- jobs (the bulk of the table over time) cost nothing here.
                    CREATE INDEX jobs_claim ON jobs(pool, priority DESC, created_at, seq) WHERE state = 'queued';

                    -- Listings are newest first by seq; an index on one column is ordered by (column, rowid), so
                    -- these serve `WHERE x = ? AND seq < ? ORDER BY seq DESC` without sorting. `jobs_state` also
                    -- serves lease recovery (running jobs are few). Nothing indexes `lease_expires_at`, so the
                    -- heartbeat, the most frequent write, updates no index at all.
                    CREATE INDEX jobs_tenant ON jobs(tenant);
                    CREATE INDEX jobs_state ON jobs(state);

                    CREATE TABLE workers (
                        id TEXT PRIMARY KEY NOT NULL,
                        pool TEXT NOT NULL,
                        heartbeat_at REAL NOT NULL,
                        body TEXT NOT NULL
                    );
                    """)
        }
        migrator.registerMigration("v2-placement") { db in
            // `version` counts writes to a row: a placement commits only on the version the scheduler read.
            // `placed_worker` copies the placement of a queued job, so a worker finds its placed jobs by index.
            try db.execute(
                sql: """
                    ALTER TABLE jobs ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE jobs ADD COLUMN placed_worker TEXT;

                    CREATE INDEX jobs_placed ON jobs(placed_worker, priority DESC, created_at, seq)
                        WHERE state = 'queued' AND placed_worker IS NOT NULL;

                    CREATE TABLE placement_explanations (
                        job_id TEXT PRIMARY KEY NOT NULL,
                        body TEXT NOT NULL
                    );
                    """)
        }
        migrator.registerMigration("v3-pools") { db in
            // Pools created through the API, and the autoscaler's decisions (trimmed per pool as they are added).
            try db.execute(
                sql: """
                    CREATE TABLE pools (
                        name TEXT PRIMARY KEY NOT NULL,
                        body TEXT NOT NULL
                    );

                    CREATE TABLE scaling_decisions (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        pool TEXT NOT NULL,
                        time REAL NOT NULL,
                        body TEXT NOT NULL
                    );
                    CREATE INDEX scaling_decisions_by_pool ON scaling_decisions(pool, seq);
                    """)
        }
        migrator.registerMigration("v4-tenants") { db in
            // Tenants (the key only as a hash, unique) and their daily usage counters.
            try db.execute(
                sql: """
                    CREATE TABLE tenants (
                        id TEXT PRIMARY KEY NOT NULL,
                        key_hash TEXT NOT NULL UNIQUE,
                        body TEXT NOT NULL
                    );

                    CREATE TABLE tenant_usage (
                        tenant TEXT NOT NULL,
                        day TEXT NOT NULL,
                        upload_bytes INTEGER NOT NULL DEFAULT 0,
                        gpu_seconds REAL NOT NULL DEFAULT 0,
                        PRIMARY KEY (tenant, day)
                    );

                    CREATE INDEX jobs_by_tenant_state ON jobs(tenant, state);
                    """)
        }
        migrator.registerMigration("v5-sessions") { db in
            try db.execute(
                sql: """
                    CREATE TABLE sessions (
                        token_hash TEXT PRIMARY KEY NOT NULL,
                        expires_at REAL NOT NULL,
                        body TEXT NOT NULL
                    );
                    CREATE INDEX sessions_by_expiry ON sessions(expires_at);
                    """)
        }
        migrator.registerMigration("v6-webhooks") { db in
            // The webhook outbox: `due_at` is set while a delivery waits (or is leased), NULL once it is settled.
            try db.execute(
                sql: """
                    CREATE TABLE webhooks (
                        job_id TEXT PRIMARY KEY NOT NULL,
                        due_at REAL,
                        body TEXT NOT NULL
                    );
                    CREATE INDEX webhooks_due ON webhooks(due_at) WHERE due_at IS NOT NULL;
                    """)
        }
        migrator.registerMigration("v7-retention") { db in
            // `expires_at` is set while a job is finished (its retention window's end): partial, so the bulk of
            // jobs still running or queued cost nothing here. The input index answers "does another job read this
            // upload" before an expired job's upload is deleted. Jobs that finished before retention existed get the standard
            // thirty days from their last change.
            try db.execute(
                sql: """
                    ALTER TABLE jobs ADD COLUMN expires_at REAL;
                    CREATE INDEX jobs_expiry ON jobs(expires_at) WHERE expires_at IS NOT NULL;
                    CREATE INDEX jobs_input ON jobs(json_extract(body, '$.spec.input'));
                    UPDATE jobs SET expires_at = updated_at + 30 * 86400
                        WHERE state IN ('succeeded', 'failed', 'cancelled');
                    """)
        }
        migrator.registerMigration("v8-demand-history") { db in
            // Each pool's autoscaler load per sample interval, so its seasonal forecast outlives the process.
            try db.execute(
                sql: """
                    CREATE TABLE demand_history (
                        pool TEXT NOT NULL,
                        start REAL NOT NULL,
                        peak REAL NOT NULL,
                        PRIMARY KEY (pool, start)
                    );
                    """)
        }
        migrator.registerMigration("v9-usage-costs") { db in
            // What each day's attempts used and cost, beside the quota counters (`GET /v1/tenants/{id}/usage`).
            try db.execute(
                sql: """
                    ALTER TABLE tenant_usage ADD COLUMN jobs INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE tenant_usage ADD COLUMN cpu_seconds REAL NOT NULL DEFAULT 0;
                    ALTER TABLE tenant_usage ADD COLUMN cost REAL NOT NULL DEFAULT 0;
                    ALTER TABLE tenant_usage ADD COLUMN priced_attempts INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE tenant_usage ADD COLUMN energy_joules REAL NOT NULL DEFAULT 0;
                    ALTER TABLE tenant_usage ADD COLUMN energy_attempts INTEGER NOT NULL DEFAULT 0;
                    """)
        }
        return migrator
    }
}
