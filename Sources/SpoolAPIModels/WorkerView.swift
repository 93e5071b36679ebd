import Foundation
import SpoolCore

/// A worker as `GET /v1/workers` shows it: its record (devices, slots, heartbeat, fenced GPUs) and, per GPU, what its
/// running jobs hold there, read from their placements. The record's fields stay at the top level, so a client that
/// knows only `WorkerRecord` reads the same document.
public struct WorkerView: Encodable, Sendable, Equatable {
    /// What the jobs running on one GPU hold: the encoder and decoder sessions and memory their placements reserved.
    public struct GPUHeld: Codable, Sendable, Equatable {
        public var gpu: Int
        public var jobs: Int
        public var encoderSessions: Int
        public var decoderSessions: Int
        public var memoryMiB: Int

        enum CodingKeys: String, CodingKey {
            case gpu, jobs
            case encoderSessions = "encoder_sessions"
            case decoderSessions = "decoder_sessions"
            case memoryMiB = "memory_mib"
        }
    }

    public var record: WorkerRecord
    public var gpusHeld: [GPUHeld]

    /// `placements`: those of the worker's running jobs (any other is ignored).
    public init(_ record: WorkerRecord, placements: [JobPlacement]) {
        self.record = record
        var held: [Int: GPUHeld] = [:]
        for placement in placements where placement.worker == record.id {
            guard let gpu = placement.gpu else { continue }
            var entry = held[gpu] ?? GPUHeld(gpu: gpu, jobs: 0, encoderSessions: 0, decoderSessions: 0, memoryMiB: 0)
            entry.jobs += 1
            entry.encoderSessions += placement.demand.encoderSessions
            entry.decoderSessions += placement.demand.decoderSessions
            entry.memoryMiB += placement.demand.gpuMemoryMiB
            held[gpu] = entry
        }
        gpusHeld = held.values.sorted { $0.gpu < $1.gpu }
    }

    enum CodingKeys: String, CodingKey {
        case gpusHeld = "gpus_held"
    }

    public func encode(to encoder: any Encoder) throws {
        try record.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(gpusHeld, forKey: .gpusHeld)
    }
}
