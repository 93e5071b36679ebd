import Foundation

/// The workers that registered, with their devices, slots and heartbeats.
public protocol WorkerRegistry: Sendable {
    func upsertWorker(_ worker: WorkerRecord) async throws
    func removeWorker(_ id: WorkerID) async throws
    func workers() async throws -> [WorkerRecord]
}
