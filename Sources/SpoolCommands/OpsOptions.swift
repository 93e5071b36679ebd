import ArgumentParser
import Foundation
import SpoolRuntime

/// Where `spool manager` and `spool worker` answer probes and scrapes: they have no API port of their own.
struct OpsOptions: ParsableArguments {
    // `--admin-port` is the name other servers use for this port (and the one the observability issue asked for).
    @Option(
        name: [.customLong("ops-port"), .customLong("admin-port")],
        help: ArgumentHelp(
            "Serve /health (the process answers), /ready (it can work: the store, and for a worker its encode "
                + "self-test and disk) and /metrics on this port, for Kubernetes probes and Prometheus. Off unless "
                + "given (or $SPOOL_OPS_PORT); also --admin-port.", valueName: "port"))
    var opsPort: Int?

    @Option(
        name: [.customLong("ops-host"), .customLong("admin-host")],
        help: "The address the ops port listens on (also --admin-host).")
    var opsHost = "0.0.0.0"

    func validate() throws {
        if let opsPort, !(0...65535).contains(opsPort) { throw ValidationError("--ops-port must be 0…65535") }
    }

    /// The listener, from the flag or `SPOOL_OPS_PORT`; nil when neither gives a port.
    func listener() throws -> ProcessAssembly.OpsListener? {
        let port: Int?
        if let opsPort {
            port = opsPort
        } else if let text = ProcessInfo.processInfo.environment["SPOOL_OPS_PORT"], !text.isEmpty {
            guard let value = Int(text), (0...65535).contains(value) else {
                throw ValidationError("SPOOL_OPS_PORT must be a port number, got '\(text)'")
            }
            port = value
        } else {
            port = nil
        }
        return port.map { ProcessAssembly.OpsListener(host: opsHost, port: $0) }
    }
}
