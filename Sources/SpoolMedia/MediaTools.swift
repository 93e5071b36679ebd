import Foundation
import Subprocess

/// Where ffmpeg and ffprobe live. A bare name is looked up on `PATH` when a process is spawned, so a worker can be
/// pointed at a custom build by giving a path instead.
public struct MediaTools: Sendable, Equatable {
    public var ffmpeg: String
    public var ffprobe: String
    /// A `spool` executable whose `measure-ssim` measures an output against the frames its transcode kept without
    /// starting ffmpeg (`WindowSSIM`); nil measures with ffmpeg. By default the running executable when it is `spool`.
    public var windowSSIM: String?

    public init(ffmpeg: String = "ffmpeg", ffprobe: String = "ffprobe", windowSSIM: String? = MediaTools.runningSpool) {
        self.ffmpeg = ffmpeg
        self.ffprobe = ffprobe
        self.windowSSIM = windowSSIM
    }

    /// This process's executable when it is the `spool` binary (which has `measure-ssim`); nil in another program,
    /// such as a test runner, which then measures with ffmpeg unless given a `spool` to run.
    public static let runningSpool: String? = {
        guard let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"),
            path.split(separator: "/").last == "spool"
        else { return nil }
        return path
    }()

    static func executable(
        _ nameOrPath: String, searchPath: String? = ProcessInfo.processInfo.environment["PATH"]
    ) -> Executable {
        // Subprocess rejects a "name" containing a separator, and a path is never searched on PATH.
        if nameOrPath.contains("/") { return .path(.init(nameOrPath)) }
        // Given a bare name, swift-subprocess on Linux starts a process for each PATH entry in turn until one execs:
        // on a long PATH that was 7 to 14 forks of the whole server for every ffmpeg run (about 50 ms before each
        // SSIM measurement in bench/overhead). Looking the name up here costs a stat per entry instead.
        if let found = locate(nameOrPath, searchPath: searchPath) { return .path(.init(found)) }
        return .name(nameOrPath)
    }

    /// The first executable regular file called `name` in the directories of `searchPath`, as a shell finds it.
    static func locate(_ name: String, searchPath: String?) -> String? {
        for directory in (searchPath ?? "").split(separator: ":", omittingEmptySubsequences: true) {
            let candidate = "\(directory)/\(name)"
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue,
                FileManager.default.isExecutableFile(atPath: candidate)
            {
                return candidate
            }
        }
        return nil
    }
}
