/// What inputs a server accepts. Lexical checks live here; the edge resolves symlinks and DNS and asks again.
public struct InputPolicy: Sendable, Equatable {
    /// Absolute directories `file://` inputs must lie under.
    public var inputRoots: [String]
    /// Lets `http(s)://` inputs reach loopback, private and link-local addresses (tests, trusted networks).
    public var allowPrivateNetworks: Bool
    public var maxUploadBytes: Int64
    /// `BUCKET[/PREFIX]` of the S3 storage (`--storage s3://…`), under which each tenant's `files` folder holds the
    /// objects its `s3://` inputs may name; nil when the storage is not a bucket.
    public var storageObjectRoot: String?
    /// `BUCKET/KEYPREFIX` strings an `s3://` input must start with (a bucket alone ends in `/`): for the default
    /// tenant, its `files/` under the storage root and every bucket the administrator lists; for another tenant only
    /// its own `tenants/ID/files/` (`scoped(to:layout:)`).
    public var objectInputPrefixes: [String]

    public init(
        inputRoots: [String] = [], allowPrivateNetworks: Bool = false, maxUploadBytes: Int64 = 4 << 30,
        storageObjectRoot: String? = nil, inputBuckets: [String] = []
    ) {
        self.inputRoots = inputRoots.map { PathRules.normalize($0) ?? $0 }
        self.allowPrivateNetworks = allowPrivateNetworks
        self.maxUploadBytes = maxUploadBytes
        self.storageObjectRoot = storageObjectRoot
        self.objectInputPrefixes = (storageObjectRoot.map { [$0 + "/files/"] } ?? []) + inputBuckets.map { $0 + "/" }
    }

    /// Whether `s3://bucket/key` may be read under these rules.
    public func allowsObject(bucket: String, key: String) -> Bool {
        let full = bucket + "/" + key
        return objectInputPrefixes.contains { full.hasPrefix($0) }
    }

    /// The rules for one tenant's jobs, the same at the gateway and in the worker: the default tenant keeps the
    /// host's input roots; any other tenant reads `file://` inputs only from its own `files` directory, whatever
    /// roots the host has. Everything else (private networks, the upload limit) carries over unchanged.
    public func scoped(to tenant: TenantID, layout: DataLayout) -> InputPolicy {
        guard tenant != .default else { return self }
        var scoped = self
        scoped.inputRoots = InputPolicy(inputRoots: [layout.inputFiles(for: tenant)]).inputRoots
        scoped.objectInputPrefixes =
            storageObjectRoot.map { [$0 + "/" + layout.key(of: layout.inputFiles(for: tenant)) + "/"] } ?? []
        return scoped
    }

    /// Whether an absolute, normalized path lies under one of the roots (prefix match with a trailing slash).
    public func isUnderInputRoot(_ path: String) -> Bool {
        inputRoots.contains { root in
            let base = root.hasSuffix("/") ? root : root + "/"
            return path.hasPrefix(base)
        }
    }
}

public enum PathRules {
    /// Normalizes an absolute path lexically. Returns nil for relative paths, NUL bytes, `..` segments and
    /// percent-encoded dots, which are refused rather than resolved so that no trick reaches the filesystem.
    public static func normalize(_ path: String) -> String? {
        guard path.hasPrefix("/"), !path.contains("\0") else { return nil }
        let lowered = path.lowercased()
        if lowered.contains("%2e") || lowered.contains("%2f") || lowered.contains("%00") { return nil }
        var parts: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            if segment == "." { continue }
            if segment == ".." { return nil }
            parts.append(segment)
        }
        return "/" + parts.joined(separator: "/")
    }
}
