/// The injected `any Clock<Duration>` reduced to what this client needs: a monotonic "now" and a sleep.
///
/// An existential clock's `Instant` cannot be stored or compared without knowing its type, so instants are turned
/// into durations since this source was created. Tests pass a manual clock and so control backoff, idle shrinking
/// and breaker cool-downs without sleeping.
struct TimeSource: Sendable {
    private let elapsed: @Sendable () -> Duration
    private let sleeper: @Sendable (Duration) async throws -> Void

    init(_ clock: any Clock<Duration>) {
        self.init(opening: clock)
    }

    private init<C: Clock<Duration>>(opening clock: C) {
        let origin = clock.now
        self.elapsed = { origin.duration(to: clock.now) }
        self.sleeper = { duration in try await clock.sleep(until: clock.now.advanced(by: duration), tolerance: nil) }
    }

    /// Time since this source was created, on the injected clock.
    func now() -> Duration { elapsed() }

    /// Throws `CancellationError` if the task is cancelled while sleeping.
    func sleep(for duration: Duration) async throws {
        guard duration > .zero else { return }
        try await sleeper(duration)
    }
}
