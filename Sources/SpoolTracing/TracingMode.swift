import Foundation

/// What the standard OpenTelemetry variables ask of this process's traces. Off unless an OTLP endpoint or the OTLP
/// exporter is named, so a process started as before exports nothing and makes only no-op spans.
public enum TracingMode: Sendable, Equatable {
    /// No tracer is bootstrapped: nothing named an endpoint, or `OTEL_SDK_DISABLED=true`, or
    /// `OTEL_TRACES_EXPORTER=none`.
    case off
    /// Spans are exported over OTLP/HTTP (protobuf, or JSON with `OTEL_EXPORTER_OTLP_PROTOCOL=http/json`).
    /// `serviceName` is this command's default; `OTEL_SERVICE_NAME` replaces it.
    case otlp(serviceName: String)
    /// Something this build cannot export (another exporter, OTLP over gRPC): the process runs without traces and
    /// says so at start-up, rather than refusing to start over its telemetry.
    case unsupported(String)

    public init(environment: [String: String], defaultServiceName: String) {
        func value(_ name: String) -> String? {
            guard let value = environment[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else {
                return nil
            }
            return value
        }
        if value("OTEL_SDK_DISABLED")?.lowercased() == "true" {
            self = .off
            return
        }
        let exporters = value("OTEL_TRACES_EXPORTER").map {
            $0.lowercased().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        }
        if let exporters, exporters.contains("none") {
            self = .off
            return
        }
        if let exporters, exporters != ["otlp"] {
            self = .unsupported(
                "OTEL_TRACES_EXPORTER=\(exporters.joined(separator: ",")): Spool exports traces over OTLP only")
            return
        }
        let endpoint = value("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") ?? value("OTEL_EXPORTER_OTLP_ENDPOINT")
        guard exporters != nil || endpoint != nil else {
            self = .off
            return
        }
        for name in ["OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"] {
            guard let transport = value(name) else { continue }
            guard ["http/protobuf", "http/json"].contains(transport.lowercased()) else {
                self = .unsupported("\(name)=\(transport): Spool exports OTLP over HTTP (http/protobuf or http/json)")
                return
            }
            // The trace-specific variable wins over the general one, as in the specification.
            break
        }
        self = .otlp(serviceName: defaultServiceName)
    }
}
