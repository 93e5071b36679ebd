import Foundation
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// Test inputs made with ffmpeg's own generators, and helpers to look at processes.
enum TestMedia {
    /// - Parameter keyFrameEvery: frames between key frames (x264's default: 250).
    static func makeClip(
        at url: URL, size: String = "640x360", seconds: Int = 3, rate: Int = 25, keyFrameEvery: Int = 250
    ) async throws {
        try await run(
            "ffmpeg",
            [
                "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=\(size):rate=\(rate)",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "\(seconds)", "-c:v", "libx264",
                "-preset", "ultrafast", "-g", "\(keyFrameEvery)", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest",
                url.path,
            ])
    }

    /// Runs a tool to its end without holding a thread (see `TestCommand`); a failure says what the tool printed.
    static func run(_ tool: String, _ arguments: [String]) async throws {
        let outcome = try await TestCommand.run(tool, arguments)
        guard outcome.status == 0 else {
            throw TestFailure("\(tool) exited \(outcome.status): \(outcome.stderr.suffix(2000))")
        }
    }

    /// PIDs of live processes whose command line contains `needle`.
    static func processes(containing needle: String) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> Int32? in
            guard let pid = Int32(entry), pid != getpid(),
                let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"), !data.isEmpty
            else { return nil }
            if let status = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                status.split(separator: " ").dropFirst(2).first == "Z"
            {
                return nil
            }
            return String(decoding: data, as: UTF8.self).contains(needle) ? pid : nil
        }
    }

    static func temporaryDirectory(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "spool-\(name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
