#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Signals a whole process group. ffmpeg is spawned as the leader of its own group (pgid == pid), so this reaches
/// anything it started too.
enum ProcessGroup {
    /// Only call while the leader has not been reaped: until then its pid, and so the group id, cannot be reused by
    /// an unrelated process.
    static func signal(_ groupID: Int32, _ signal: Int32) {
        guard groupID > 1 else { return }
        _ = kill(-groupID, signal)
    }
}
