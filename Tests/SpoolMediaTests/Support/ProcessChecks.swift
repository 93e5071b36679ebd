#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

enum ProcessChecks {
    /// True when no process with this pid exists any more (reaped, not a zombie we still hold).
    static func isGone(_ pid: Int32) -> Bool {
        kill(pid, 0) == -1 && errno == ESRCH
    }

    /// True when no process is left in the group led by `pid`.
    static func groupIsGone(_ pid: Int32) -> Bool {
        kill(-pid, 0) == -1 && errno == ESRCH
    }

    static func makeFIFO(_ path: String) -> Bool {
        mkfifo(path, 0o600) == 0
    }
}
