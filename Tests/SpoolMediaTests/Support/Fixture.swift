import Foundation

/// Recorded tool output under Tests/SpoolMediaTests/Fixtures, copied into the test bundle.
enum Fixture {
    struct Missing: Error, CustomStringConvertible {
        var name: String
        var description: String { "fixture \(name) is not in the test bundle" }
    }

    static func url(_ name: String) throws -> URL {
        guard let root = Bundle.module.resourceURL else { throw Missing(name: name) }
        let url = root.appendingPathComponent("Fixtures").appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.path) else { throw Missing(name: name) }
        return url
    }

    static func data(_ name: String) throws -> Data { try Data(contentsOf: url(name)) }

    static func text(_ name: String) throws -> String { String(decoding: try data(name), as: UTF8.self) }
}
