import Logging
import SpoolTracing
import Testing
import Tracing

/// Whether a process exports traces, from the OTEL_* variables: off unless an endpoint or the OTLP exporter is named.
@Suite struct TracingModeTests {
    func mode(_ environment: [String: String], service: String = "spool-worker") -> TracingMode {
        TracingMode(environment: environment, defaultServiceName: service)
    }

    @Test func withoutOTELVariablesTracingIsOffAndNothingIsBootstrapped() {
        #expect(mode([:]) == .off)
        // What people have in their environment anyway changes nothing.
        #expect(mode(["PATH": "/usr/bin", "OTEL_SERVICE_NAME": "x", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"]) == .off)
        #expect(mode(["OTEL_EXPORTER_OTLP_ENDPOINT": "  "]) == .off)
        // Off means no exporter to run and no tracer: spans made anywhere are no-ops.
        #expect(TraceExport.bootstrap(.off, logger: Logger(label: "test")) == nil)
        #expect(InstrumentationSystem.tracer is NoOpTracer)
    }

    @Test func anEndpointOrTheOTLPExporterTurnsItOnUnderTheCommandsServiceName() {
        #expect(mode(["OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"]) == .otlp(serviceName: "spool-worker"))
        #expect(
            mode(["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://c:4318/v1/traces"], service: "spool-gateway")
                == .otlp(serviceName: "spool-gateway"))
        #expect(mode(["OTEL_TRACES_EXPORTER": "otlp"], service: "spool") == .otlp(serviceName: "spool"))
        for transport in ["http/protobuf", "http/json", "HTTP/JSON"] {
            #expect(
                mode(["OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_EXPORTER_OTLP_PROTOCOL": transport])
                    == .otlp(serviceName: "spool-worker"))
        }
    }

    @Test func theSDKSwitchAndTheNoneExporterTurnItOff() {
        let endpoint = ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"]
        #expect(mode(endpoint.merging(["OTEL_SDK_DISABLED": "true"]) { $1 }) == .off)
        #expect(mode(endpoint.merging(["OTEL_SDK_DISABLED": "TRUE"]) { $1 }) == .off)
        #expect(mode(endpoint.merging(["OTEL_SDK_DISABLED": "false"]) { $1 }) == .otlp(serviceName: "spool-worker"))
        #expect(mode(endpoint.merging(["OTEL_TRACES_EXPORTER": "none"]) { $1 }) == .off)
    }

    @Test func whatThisBuildCannotExportIsSaidNotAttempted() {
        let endpoint = ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4317"]
        guard case .unsupported(let why) = mode(endpoint.merging(["OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"]) { $1 })
        else {
            Issue.record("gRPC is not built")
            return
        }
        #expect(why.contains("OTEL_EXPORTER_OTLP_PROTOCOL=grpc"))
        // The trace-specific protocol wins over the general one.
        #expect(
            mode(
                endpoint.merging([
                    "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "http/protobuf",
                ]) { $1 }) == .otlp(serviceName: "spool-worker"))
        guard case .unsupported = mode(["OTEL_TRACES_EXPORTER": "zipkin"]) else {
            Issue.record("only OTLP is exported")
            return
        }
        #expect(TraceExport.bootstrap(.unsupported("test"), logger: Logger(label: "test")) == nil)
        #expect(InstrumentationSystem.tracer is NoOpTracer)
    }
}
