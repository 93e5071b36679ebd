import Foundation
import Metrics
import SpoolCore

/// Per-pool metrics, labelled `pool`: what the manager measured and what it wants. `spool_pool_desired_workers` is
/// the gauge an HPA or KEDA can follow when Spool's own actuator is off (`--actuator gauge`).
struct PoolMetrics {
    let pool: String

    func record(workers: [WorkerRecord], waiting: [QueuedJob], now: Date) {
        let dimensions = [("pool", pool)]
        Gauge(label: "spool_pool_workers", dimensions: dimensions).record(workers.count)
        Gauge(label: "spool_pool_busy_workers", dimensions: dimensions).record(
            workers.filter { !$0.running.isEmpty }.count)
        Gauge(label: "spool_pool_running_jobs", dimensions: dimensions).record(
            workers.reduce(0) { $0 + $1.running.count })
        Gauge(label: "spool_pool_waiting_jobs", dimensions: dimensions).record(waiting.count)
        let oldest = waiting.map(\.createdAt).min().map { now.timeIntervalSince($0) } ?? 0
        Gauge(label: "spool_pool_oldest_wait_seconds", dimensions: dimensions).record(max(oldest, 0))
    }

    func recordDesired(_ workers: Int) {
        Gauge(label: "spool_pool_desired_workers", dimensions: [("pool", pool)]).record(workers)
    }

    /// One more series per capacity type for a pool with a spot part, labelled `capacity_type` ("spot",
    /// "on-demand"), for a spot and an on-demand Deployment to follow each its own. The pool's total stays the
    /// series without the label, so `max by (pool)` and the queries that read it are unchanged.
    func recordDesired(byCapacity workers: [CapacityType?: Int]) {
        for capacity in CapacityType.allCases {
            Gauge(
                label: "spool_pool_desired_workers", dimensions: [("pool", pool), ("capacity_type", capacity.rawValue)]
            ).record(workers[capacity] ?? 0)
        }
    }

    /// The pool's bounds, so an alert can tell a pool the autoscaler wants to grow past its maximum.
    func recordBounds(min: Int, max: Int) {
        Gauge(label: "spool_pool_min_workers", dimensions: [("pool", pool)]).record(min)
        Gauge(label: "spool_pool_max_workers", dimensions: [("pool", pool)]).record(max)
    }

    func recordScaleEvent(up: Bool) {
        Counter(
            label: "spool_pool_scale_events_total", dimensions: [("pool", pool), ("direction", up ? "up" : "down")]
        )
        .increment()
    }
}
