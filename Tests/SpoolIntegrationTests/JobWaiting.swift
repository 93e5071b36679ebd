import Foundation
import SpoolAPIModels
import SpoolClient
import SpoolCore

extension SpoolClient {
    /// Polls a job until `done` holds (by default: a final state). A failed poll (a gateway restarting, Redis
    /// coming back) is retried until the deadline.
    func waitFor(
        _ id: JobID, timeout: Duration = .seconds(120), until done: (JobView) -> Bool = { $0.state.isTerminal }
    ) async throws -> JobView {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let job = try? await job(id), done(job) { return job }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestFailure("job \(id) did not reach the expected state in \(timeout)")
    }
}
