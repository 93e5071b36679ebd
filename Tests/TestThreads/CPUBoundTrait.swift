import Testing

/// Marks a suite or a test whose body computes for seconds (simulations, property tests over seeded fleets): it runs
/// on `CPUBoundExecutor`'s threads instead of the cooperative pool's, so that the tests that wait on real servers
/// keep running beside it. Each test case runs with the executor as its task's preference, which the tasks it
/// starts in structured concurrency inherit.
///
/// Only for tests without a wall-clock deadline: the executor runs its jobs first in, first out, so a marked test
/// that awaits (a child process, a timeout) resumes only after the long computations queued before it, and its
/// deadline may pass meanwhile. A test that does both keeps the pool.
public struct CPUBoundTrait: TestTrait, SuiteTrait, TestScoping {
    public var isRecursive: Bool { true }

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        try await withTaskExecutorPreference(CPUBoundExecutor.shared) { try await function() }
    }
}

extension Trait where Self == CPUBoundTrait {
    /// The test computes for seconds: run it on threads of its own, not on the cooperative pool.
    public static var cpuBound: Self { CPUBoundTrait() }
}
