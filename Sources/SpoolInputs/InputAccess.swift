import Foundation
import SpoolCore

#if canImport(Glibc)
    import Glibc
#endif

/// Checks that an input a job names can be read, beyond the lexical rules of `JobRequest.validate`: symlinks may not
/// lead out of the input roots, uploads must exist, and host names may not resolve to internal addresses.
public struct InputAccess: Sendable {
    public var policy: InputPolicy
    public var layout: DataLayout
    /// Turns a host name into the numeric addresses a connection would reach: the system resolver, or a fixed
    /// table in tests.
    public var resolve: @Sendable (String) -> [String]

    public init(
        policy: InputPolicy, layout: DataLayout,
        resolve: @escaping @Sendable (String) -> [String] = HostAddressResolver.resolve
    ) {
        self.policy = policy
        self.layout = layout
        self.resolve = resolve
    }

    /// The same access with the policy scoped to one tenant (`InputPolicy.scoped(to:layout:)`).
    public func scoped(to tenant: TenantID) -> InputAccess {
        var scoped = self
        scoped.policy = policy.scoped(to: tenant, layout: layout)
        return scoped
    }

    /// Verifies the input at submit time. The worker checks again when it reads, since files and DNS change.
    public func verify(_ source: InputSource, tenant: TenantID = .default) throws(SpecError) {
        switch source {
        case .file(let path):
            _ = try resolveFile(path)
        case .upload(let id):
            guard FileManager.default.fileExists(atPath: layout.upload(id, tenant: tenant)) else {
                throw SpecError(
                    field: "input", rule: "upload_missing",
                    message: "no finished upload \(id); POST the file to /v1/uploads first")
            }
        case .http(let url):
            try checkHost(of: url)
        case .object(let bucket, let key):
            // Existence is the worker's to find (`input_not_found`); the prefix is checked again here.
            guard policy.allowsObject(bucket: bucket, key: key) else {
                throw SpecError(
                    field: "input", rule: "input_root", message: "s3://\(bucket)/\(key) is not readable here")
            }
        }
    }

    /// The canonical path of a `file://` input, with every symlink resolved, that still lies under an input root.
    public func resolveFile(_ path: String) throws(SpecError) -> String {
        // The path as written must be under a root of this process: a gateway and a worker started with different
        // --input-root values disagree here, which is a configuration mistake, not a symlink.
        guard policy.isUnderInputRoot(path) || canonicalRoots().contains(where: { path.hasPrefix($0 + "/") }) else {
            throw SpecError(
                field: "input", rule: "input_root",
                message: "'\(path)' is outside this process's input roots ("
                    + (policy.inputRoots.isEmpty ? "none" : policy.inputRoots.joined(separator: ", "))
                    + "); give the gateway and every worker the same --input-root")
        }
        guard let resolved = realpath(path, nil) else {
            throw SpecError(
                field: "input", rule: "input_missing", message: "'\(path)' does not exist or cannot be read")
        }
        defer { free(resolved) }
        let canonical = String(cString: resolved)
        guard policy.isUnderInputRoot(canonical) || canonicalRoots().contains(where: { canonical.hasPrefix($0 + "/") })
        else {
            throw SpecError(
                field: "input", rule: "input_root",
                message: "'\(path)' resolves to '\(canonical)', outside the input roots, through a symlink")
        }
        var info = stat()
        guard stat(canonical, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw SpecError(field: "input", rule: "input_not_file", message: "'\(path)' is not a regular file")
        }
        return canonical
    }

    /// Refuses URLs whose host resolves to loopback, private or link-local addresses (unless the policy allows them).
    public func checkHost(of url: String) throws(SpecError) {
        guard !policy.allowPrivateNetworks else { return }
        guard let host = URLComponents(string: url)?.host else {
            throw SpecError(field: "input", rule: "uri", message: "the URL has no host")
        }
        let addresses = resolve(host)
        guard !addresses.isEmpty else {
            throw SpecError(field: "input", rule: "dns", message: "'\(host)' does not resolve")
        }
        if let inside = addresses.first(where: NetworkAddressRules.isInternal) {
            throw SpecError(
                field: "input", rule: "private_address",
                message: "'\(host)' resolves to \(inside), a loopback, private or link-local address")
        }
    }

    /// Input roots may themselves sit behind symlinks (/tmp on some systems); accept their canonical forms too.
    private func canonicalRoots() -> [String] {
        policy.inputRoots.compactMap { root in
            guard let resolved = realpath(root, nil) else { return nil }
            defer { free(resolved) }
            return String(cString: resolved)
        }
    }
}
