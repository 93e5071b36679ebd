import Foundation

/// The console's files, read once from the binary's resource bundle. Each carries its media type and an entity tag
/// (a hash of its bytes), so a browser revalidates with `If-None-Match` and gets 304 while the build is the same.
public struct ConsoleAssets: Sendable {
    public struct Asset: Sendable, Equatable {
        public var bytes: [UInt8]
        public var contentType: String
        public var entityTag: String
    }

    /// By file name: `index.html`, `app.js`, `app.css`, `favicon.svg`.
    public let assets: [String: Asset]

    public init(assets: [String: Asset]) { self.assets = assets }

    /// The assets bundled with this build; empty when the bundle is missing (a binary copied without its
    /// `.resources` folder), which the console route answers with a clear 404.
    public static let bundled: ConsoleAssets = {
        guard let folder = Bundle.module.url(forResource: "console", withExtension: nil),
            let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path)
        else { return ConsoleAssets(assets: [:]) }
        var assets: [String: Asset] = [:]
        for name in names {
            guard let type = contentType(of: name),
                let data = try? Data(contentsOf: folder.appendingPathComponent(name))
            else { continue }
            assets[name] = Asset(bytes: Array(data), contentType: type, entityTag: entityTag(of: Array(data)))
        }
        return ConsoleAssets(assets: assets)
    }()

    /// Only the types the console ships; any other file in the folder is not served.
    static func contentType(of name: String) -> String? {
        switch name.split(separator: ".").last {
        case "html": "text/html; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        default: nil
        }
    }

    /// A strong validator: FNV-1a over the bytes, which is enough to tell two builds' files apart.
    static func entityTag(of bytes: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return "\"\(String(hash, radix: 16))-\(bytes.count)\""
    }
}
