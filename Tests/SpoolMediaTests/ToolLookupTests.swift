import Foundation
import Testing

@testable import SpoolMedia

/// Tools named without a path are looked up on PATH before they are spawned, so starting one costs a stat per PATH
/// entry rather than a process per entry.
@Suite struct ToolLookupTests {
    @Test func aBareNameIsFoundInTheFirstDirectoryThatHasItAsAnExecutableFile() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("lookup-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let (empty, directoryNamedLikeIt, notExecutable, first, second) = (
            root.appendingPathComponent("empty"), root.appendingPathComponent("dir"),
            root.appendingPathComponent("plain"), root.appendingPathComponent("first"),
            root.appendingPathComponent("second")
        )
        for directory in [empty, directoryNamedLikeIt, notExecutable, first, second] {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }
        try FileManager.default.createDirectory(
            at: directoryNamedLikeIt.appendingPathComponent("tool"), withIntermediateDirectories: true)
        _ = FileManager.default.createFile(
            atPath: notExecutable.appendingPathComponent("tool").path, contents: Data("#!/bin/sh\n".utf8),
            attributes: [.posixPermissions: 0o644])
        for directory in [first, second] {
            _ = FileManager.default.createFile(
                atPath: directory.appendingPathComponent("tool").path, contents: Data("#!/bin/sh\n".utf8),
                attributes: [.posixPermissions: 0o755])
        }
        let searchPath = [empty, directoryNamedLikeIt, notExecutable, first, second].map(\.path).joined(separator: ":")
        #expect(MediaTools.locate("tool", searchPath: searchPath) == first.appendingPathComponent("tool").path)
        #expect(MediaTools.locate("tool", searchPath: "::" + second.path) == second.appendingPathComponent("tool").path)
        #expect(MediaTools.locate("missing", searchPath: searchPath) == nil)
        #expect(MediaTools.locate("tool", searchPath: nil) == nil)
    }

    @Test func aToolThatIsNowhereStillSaysItIsMissing() async throws {
        let tools = MediaTools(ffmpeg: "spool-no-such-ffmpeg", ffprobe: "spool-no-such-ffprobe")
        await #expect(throws: ToolProcessError.notFound) {
            // swift-subprocess still tries each PATH entry for a name found nowhere, one process each: on two cores
            // shared with the whole suite that took tens of seconds.
            _ = try await ToolProcess.run(
                tools.ffmpeg, arguments: ["-version"], timeout: .seconds(300), clock: ContinuousClock())
        }
    }

    @Test func theRealFFmpegRunsByName() async throws {
        let output = try await ToolProcess.run(
            "ffmpeg", arguments: ["-hide_banner", "-version"], timeout: .seconds(30), clock: ContinuousClock())
        #expect(output.succeeded)
    }
}
