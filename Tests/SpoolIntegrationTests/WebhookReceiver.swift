import Foundation
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// A real HTTP receiver on loopback (a Python http.server) that answers webhook POSTs with a scripted sequence of
/// statuses and writes each request, headers and body, as one JSON line. Stopped by PID.
final class WebhookReceiver {
    struct Request: Decodable {
        var headers: [String: String]
        var body: String
        var status: Int

        func header(_ name: String) -> String? {
            headers.first { $0.key.lowercased() == name.lowercased() }?.value
        }
    }

    let port: Int
    let log: URL
    private let process: Process

    static let script = """
        import http.server, json, sys
        port, log, statuses = int(sys.argv[1]), sys.argv[2], [int(s) for s in sys.argv[3].split(',')]
        seen = [0]
        class Receiver(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get('Content-Length', '0')))
                status = statuses[min(seen[0], len(statuses) - 1)]
                seen[0] += 1
                with open(log, 'a') as f:
                    f.write(json.dumps({'headers': dict(self.headers), 'body': body.decode(), 'status': status}) + '\\n')
                self.send_response(status)
                self.send_header('Content-Length', '0')
                self.end_headers()
            def log_message(self, *args):
                pass
        http.server.HTTPServer(('127.0.0.1', port), Receiver).serve_forever()
        """

    /// - Parameters:
    ///   - statuses: the answer to each request in turn; the last one repeats.
    ///   - fixedPort: where to listen (a URL handed out before the receiver was up); a free one by default.
    init(directory: URL, statuses: [Int], fixedPort: Int? = nil) throws {
        port = try fixedPort ?? FreePort.find()
        log = directory.appendingPathComponent("webhooks-\(port).jsonl")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", "-c", Self.script, "\(port)", log.path, statuses.map(String.init).joined(separator: ","),
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    var url: String { Self.url(port: port) }

    static func url(port: Int) -> String { "http://127.0.0.1:\(port)/hooks/spool" }

    var requests: [Request] {
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { try? JSONDecoder().decode(Request.self, from: Data($0.utf8)) }
    }

    /// Waits until `count` requests arrived (the sender's backoff decides when; nothing here asserts a time).
    func waitForRequests(_ count: Int, timeout: Duration = .seconds(90)) async throws -> [Request] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let seen = requests
            if seen.count >= count { return seen }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestFailure("the receiver got \(requests.count) of \(count) webhook requests")
    }

    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit { stop() }
}
