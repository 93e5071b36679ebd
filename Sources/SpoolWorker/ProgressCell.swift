import SpoolCore
import Synchronization

/// The latest progress of a running attempt, written by ffmpeg's progress reader and read by the heartbeat.
final class ProgressCell: Sendable {
    private let value = Mutex<TranscodeProgress?>(nil)

    func set(_ progress: TranscodeProgress) { value.withLock { $0 = progress } }
    func get() -> TranscodeProgress? { value.withLock { $0 } }
}
