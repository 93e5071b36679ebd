import Foundation

/// A test's own folders: inputs the server may read, the data directory, removed afterwards.
struct TestArea {
    let root: URL
    let inputs: URL
    let data: URL

    init(_ name: String) throws {
        root = try TestMedia.temporaryDirectory(name)
        inputs = root.appendingPathComponent("in")
        data = root.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: inputs, withIntermediateDirectories: true)
    }

    func cleanUp() { try? FileManager.default.removeItem(at: root) }
}
