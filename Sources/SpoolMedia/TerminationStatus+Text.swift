import Subprocess

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension TerminationStatus {
    /// "exited with code 1", "was killed by signal 9 (SIGKILL)".
    var plainDescription: String {
        switch self {
        case .exited(let code):
            return "exited with code \(code)"
        case .signaled(let signal):
            let names: [Int32: String] = [
                SIGTERM: "SIGTERM", SIGKILL: "SIGKILL", SIGSEGV: "SIGSEGV", SIGABRT: "SIGABRT", SIGINT: "SIGINT",
                SIGBUS: "SIGBUS", SIGFPE: "SIGFPE", SIGILL: "SIGILL", SIGXCPU: "SIGXCPU", SIGXFSZ: "SIGXFSZ",
            ]
            return "was killed by signal \(signal)" + (names[signal].map { " (\($0))" } ?? "")
        }
    }
}
