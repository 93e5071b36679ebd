import Synchronization

/// When ffmpeg last got further, shared between the stdout reader and the watchdog.
final class ProgressMonitor<Instant: InstantProtocol>: Sendable {
    let start: Instant
    private let state: Mutex<State>

    private struct State {
        var lastAdvance: Instant
        var marker = ProgressMarker()
    }

    init(start: Instant) {
        self.start = start
        self.state = Mutex(State(lastAdvance: start))
    }

    func observe(_ marker: ProgressMarker, at now: Instant) {
        state.withLock { state in
            guard marker.isAhead(of: state.marker) else { return }
            state.marker = marker
            state.lastAdvance = now
        }
    }

    var lastAdvance: Instant { state.withLock { $0.lastAdvance } }

    var mediaTimeText: String {
        let micros = state.withLock { $0.marker.outTimeMicroseconds } ?? 0
        return "\(FFmpegNumber.format(Double(micros) / 1_000_000, maxFractionDigits: 1)) s of media"
    }
}
