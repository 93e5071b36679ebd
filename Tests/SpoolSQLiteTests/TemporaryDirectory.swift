import Foundation

/// A directory of its own for each test, so parallel tests never share a database file.
struct TemporaryDirectory: Sendable {
    let path: String

    init() throws {
        path =
            FileManager.default.temporaryDirectory
            .appendingPathComponent("spool-sqlite-tests-" + UUID().uuidString).path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    var databasePath: String { path + "/spool.sqlite" }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
