import Foundation
import Testing

@testable import SpoolCore
@testable import SpoolInputs

/// SpoolInputs' rules checked directly: input roots, symlinks on real files, encoded paths, and the SSRF address
/// ranges through a fixed resolver (never real DNS).
@Suite struct InputRulesTests {
    // MARK: - Lexical paths and input roots

    @Test func pathsAreNormalizedOrRefusedNeverResolved() {
        #expect(PathRules.normalize("/srv/media/a.mp4") == "/srv/media/a.mp4")
        #expect(PathRules.normalize("/srv//media///a.mp4") == "/srv/media/a.mp4")
        #expect(PathRules.normalize("/srv/./media/a.mp4") == "/srv/media/a.mp4")
        for refused in [
            "/srv/media/../../etc/passwd", "/srv/media/..", "/srv/media/%2e%2e/etc/passwd", "/srv/media/%2E%2e/x",
            "/srv/media/.%2e/x", "/srv/media%2f..%2fetc", "/srv/media/a%00.mp4", "/srv/media/a\0.mp4", "srv/a.mp4",
            "", "../a.mp4",
        ] {
            #expect(PathRules.normalize(refused) == nil, "\(refused)")
        }
    }

    @Test func inputRootsArePrefixesWithASlash() {
        let policy = InputPolicy(inputRoots: ["/srv/media/", "/data//in"])
        #expect(policy.inputRoots == ["/srv/media", "/data/in"])
        #expect(policy.isUnderInputRoot("/srv/media/a.mp4"))
        #expect(policy.isUnderInputRoot("/data/in/deep/b.mov"))
        #expect(!policy.isUnderInputRoot("/srv/media"))
        #expect(!policy.isUnderInputRoot("/srv/media-evil/a.mp4"))
        #expect(!policy.isUnderInputRoot("/srv/a.mp4"))
        #expect(!InputPolicy().isUnderInputRoot("/srv/media/a.mp4"))
    }

    func parse(_ uri: String, _ policy: InputPolicy) -> Result<InputSource, SpecError> {
        do throws(SpecError) {
            return .success(try JobRequest.parseInput(uri, policy: policy))
        } catch {
            return .failure(error)
        }
    }

    func rule(_ result: Result<InputSource, SpecError>) -> String? {
        if case .failure(let error) = result { return error.rule }
        return nil
    }

    @Test func fileURIsInEveryEncodedForm() throws {
        let policy = InputPolicy(inputRoots: ["/srv/media"])
        #expect(try parse("file:///srv/media/a.mp4", policy).get() == .file(path: "/srv/media/a.mp4"))
        #expect(try parse("file:///srv//media/./a.mp4", policy).get() == .file(path: "/srv/media/a.mp4"))
        #expect(rule(parse("file:///srv/media/../../etc/passwd", policy)) == "path_traversal")
        #expect(rule(parse("file:///srv/media/%2e%2e/%2e%2e/etc/passwd", policy)) == "path_traversal")
        #expect(rule(parse("file:///srv/media/%2E%2E/secret", policy)) == "path_traversal")
        #expect(rule(parse("file:///srv/media/..%2fsecret", policy)) == "path_traversal")
        #expect(rule(parse("file:///srv/media/a%00.mp4", policy)) == "path_traversal")
        // No host part: file://localhost/… and relative file: forms are not absolute paths.
        #expect(rule(parse("file://localhost/srv/media/a.mp4", policy)) == "file_host")
        #expect(rule(parse("file://srv/media/a.mp4", policy)) == "file_host")
        #expect(rule(parse("file:/srv/media/a.mp4", policy)) == "scheme")
        #expect(rule(parse("FILE:///srv/media/a.mp4", policy)) == "scheme")
        #expect(rule(parse("file:///etc/passwd", policy)) == "input_root")
        #expect(rule(parse("file:///srv/media-evil/a.mp4", policy)) == "input_root")
        #expect(rule(parse("file:///srv/media/a.mp4", InputPolicy())) == "input_root")
    }

    @Test func literalInternalHostsAreRefusedAtValidation() throws {
        let policy = InputPolicy()
        for uri in [
            "http://127.0.0.1/a.mp4", "http://10.1.2.3/a.mp4", "http://172.16.0.1/a.mp4", "http://192.168.1.1/a.mp4",
            "http://169.254.169.254/latest/meta-data", "http://[::1]/a.mp4", "http://[::ffff:127.0.0.1]/a.mp4",
            "http://[::ffff:7f00:1]/a.mp4", "http://[fd00::1]/a.mp4", "http://[fe80::1]/a.mp4",
            "http://localhost/a.mp4", "http://LOCALHOST:8080/a.mp4", "http://x.localhost/a.mp4",
        ] {
            #expect(rule(parse(uri, policy)) == "private_address", "\(uri)")
            #expect(rule(parse(uri, InputPolicy(allowPrivateNetworks: true))) == nil, "\(uri)")
        }
        #expect(try parse("https://cdn.example.com/a.mp4", policy).get() == .http(url: "https://cdn.example.com/a.mp4"))
        #expect(rule(parse("ftp://cdn.example.com/a.mp4", policy)) == "scheme")
        #expect(rule(parse("gopher://127.0.0.1/", policy)) == "scheme")
    }

    // MARK: - Symlinks, on real files

    /// root/ (the input root) and outside/, with files and links between them.
    struct Tree {
        let base: String
        var root: String { base + "/root" }
        var outside: String { base + "/outside" }

        init() throws {
            base = FileManager.default.temporaryDirectory.path + "/spool-inputs-" + UUID().uuidString
            let fm = FileManager.default
            try fm.createDirectory(atPath: base + "/root/sub", withIntermediateDirectories: true)
            try fm.createDirectory(atPath: base + "/outside", withIntermediateDirectories: true)
            try Data("in".utf8).write(to: URL(fileURLWithPath: base + "/root/sub/a.mp4"))
            try Data("secret".utf8).write(to: URL(fileURLWithPath: base + "/outside/secret.mp4"))
            try fm.createSymbolicLink(
                atPath: base + "/root/escape.mp4", withDestinationPath: base + "/outside/secret.mp4")
            try fm.createSymbolicLink(
                atPath: base + "/root/relative-escape.mp4", withDestinationPath: "../outside/secret.mp4")
            try fm.createSymbolicLink(atPath: base + "/root/outdir", withDestinationPath: base + "/outside")
            try fm.createSymbolicLink(atPath: base + "/root/inside.mp4", withDestinationPath: base + "/root/sub/a.mp4")
            try fm.createSymbolicLink(atPath: base + "/root/sub/up.mp4", withDestinationPath: "../inside.mp4")
        }

        func remove() { try? FileManager.default.removeItem(atPath: base) }
    }

    func resolve(_ access: InputAccess, _ path: String) -> Result<String, SpecError> {
        do throws(SpecError) {
            return .success(try access.resolveFile(path))
        } catch {
            return .failure(error)
        }
    }

    @Test func symlinksMayNotLeadOutOfTheRoots() throws {
        let tree = try Tree()
        defer { tree.remove() }
        let access = InputAccess(policy: InputPolicy(inputRoots: [tree.root]), layout: DataLayout(root: tree.base))
        let canonical = try resolve(access, tree.root + "/sub/a.mp4").get()
        #expect(canonical.hasSuffix("/root/sub/a.mp4"))
        // Inside → inside is allowed, and answers the canonical target.
        #expect(try resolve(access, tree.root + "/inside.mp4").get() == canonical)
        #expect(try resolve(access, tree.root + "/sub/up.mp4").get() == canonical)
        // Inside → outside is refused, by an absolute or relative link, or through a linked directory.
        for escaping in ["/escape.mp4", "/relative-escape.mp4", "/outdir/secret.mp4"] {
            guard case .failure(let error) = resolve(access, tree.root + escaping) else {
                Issue.record("\(escaping) was let out of the root")
                continue
            }
            #expect(error.rule == "input_root")
            #expect(error.message.contains("through a symlink") && error.message.contains("/outside/"))
        }
        // A process whose roots do not hold the path (a worker started with another --input-root than the gateway)
        // says so, and how to fix it; no symlink is involved.
        let elsewhere = InputAccess(
            policy: InputPolicy(inputRoots: [tree.outside]), layout: DataLayout(root: tree.base))
        guard case .failure(let mismatch) = resolve(elsewhere, tree.root + "/sub/a.mp4") else {
            Issue.record("a path outside the roots was accepted")
            return
        }
        #expect(mismatch.rule == "input_root" && !mismatch.message.contains("symlink"))
        #expect(mismatch.message.contains("--input-root") && mismatch.message.contains(tree.outside))
        guard case .failure(let dots) = resolve(access, tree.root + "/../outside/secret.mp4") else {
            Issue.record("'..' was let out of the root")
            return
        }
        #expect(dots.rule == "input_root")
        #expect(rule(resolve(access, tree.outside + "/secret.mp4").map { InputSource.file(path: $0) }) == "input_root")
        #expect(rule(resolve(access, tree.root + "/missing.mp4").map { InputSource.file(path: $0) }) == "input_missing")
        #expect(rule(resolve(access, tree.root + "/sub").map { InputSource.file(path: $0) }) == "input_not_file")
        // The same files with the outside directory as a second root: the link now stays inside.
        let wider = InputAccess(
            policy: InputPolicy(inputRoots: [tree.root, tree.outside]), layout: DataLayout(root: tree.base))
        #expect(try resolve(wider, tree.root + "/escape.mp4").get().hasSuffix("/outside/secret.mp4"))
    }

    @Test func aTenantReadsOnlyItsOwnFiles() throws {
        let tree = try Tree()
        defer { tree.remove() }
        let layout = DataLayout(root: tree.base)
        let tenant = TenantID(rawValue: "acme")
        let files = layout.inputFiles(for: tenant)
        try FileManager.default.createDirectory(atPath: files, withIntermediateDirectories: true)
        try Data("mine".utf8).write(to: URL(fileURLWithPath: files + "/mine.mp4"))
        let host = InputAccess(
            policy: InputPolicy(inputRoots: [tree.root], maxUploadBytes: 777), layout: layout)
        let scoped = host.scoped(to: tenant)
        #expect(scoped.policy.maxUploadBytes == 777)
        #expect(try resolve(scoped, files + "/mine.mp4").get().hasSuffix("/tenants/acme/files/mine.mp4"))
        #expect(rule(resolve(scoped, tree.root + "/sub/a.mp4").map { InputSource.file(path: $0) }) == "input_root")
        #expect(host.scoped(to: .default).policy == host.policy)
    }

    // MARK: - SSRF, through a fixed resolver

    static let table: [String: [String]] = [
        "public.example": ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"],
        "loopback.example": ["127.0.0.1"],
        "loopback8.example": ["127.53.0.9"],
        "ten.example": ["10.20.30.40"],
        "172-low.example": ["172.16.0.1"],
        "172-high.example": ["172.31.255.254"],
        "192.example": ["192.168.0.10"],
        "linklocal.example": ["169.254.10.1"],
        "metadata.example": ["169.254.169.254"],
        "zero.example": ["0.0.0.0"],
        "v6-loopback.example": ["::1"],
        "v6-loopback-long.example": ["0:0:0:0:0:0:0:1"],
        "v6-unspecified.example": ["::"],
        "ula-fc.example": ["fc00::1"],
        "ula-fd.example": ["fd12:3456:789a::1"],
        "v6-linklocal.example": ["fe80::1"],
        "v6-linklocal-zone.example": ["fe80::1%eth0"],
        "v6-linklocal-top.example": ["febf:ffff::1"],
        "mapped.example": ["::ffff:127.0.0.1"],
        "mapped-hex.example": ["::ffff:7f00:1"],
        "mapped-metadata.example": ["::ffff:a9fe:a9fe"],
        "mapped-private.example": ["0:0:0:0:0:ffff:10.0.0.1"],
        "nat64-private.example": ["64:ff9b::c0a8:1"],
        "mixed.example": ["93.184.216.34", "10.0.0.5"],
        "nowhere.example": [],
    ]

    func access(allowPrivate: Bool = false) -> InputAccess {
        InputAccess(
            policy: InputPolicy(allowPrivateNetworks: allowPrivate), layout: DataLayout(root: "/nonexistent"),
            resolve: { Self.table[$0] ?? [] })
    }

    func check(_ access: InputAccess, _ host: String) -> String? {
        do throws(SpecError) {
            try access.checkHost(of: "https://\(host)/a.mp4")
            return nil
        } catch {
            return error.rule
        }
    }

    @Test func internalAddressesAreRefusedUnlessPrivateNetworksAreAllowed() {
        let strict = access()
        let open = access(allowPrivate: true)
        #expect(check(strict, "public.example") == nil)
        for (host, _) in Self.table where host != "public.example" && host != "nowhere.example" {
            #expect(check(strict, host) == "private_address", "\(host)")
            #expect(check(open, host) == nil, "\(host)")
        }
        #expect(check(strict, "nowhere.example") == "dns")
    }

    @Test func theBordersOfEachRange() {
        for inside in [
            "10.0.0.0", "10.255.255.255", "172.16.0.0", "172.31.255.255", "192.168.0.0", "192.168.255.255",
            "169.254.0.0", "169.254.255.255", "127.0.0.1", "127.255.255.255", "100.64.0.1", "224.0.0.1",
            "::1", "::", "fc00::", "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "fe80::", "febf::1", "[::1]",
            "::ffff:192.168.1.1", "::ffff:c0a8:101", "ff02::1", "64:ff9b::7f00:1",
        ] {
            #expect(NetworkAddressRules.isInternal(inside), "\(inside)")
        }
        for outside in [
            "9.255.255.255", "11.0.0.0", "172.15.255.255", "172.32.0.0", "192.167.255.255", "192.169.0.0",
            "169.253.255.255", "169.255.0.0", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8", "2001:4860::8888",
            "fbff::1", "fe7f::1", "64:ff9b::808:808",
        ] {
            #expect(!NetworkAddressRules.isInternal(outside), "\(outside)")
        }
        // Text that does not parse as an address is not trusted.
        #expect(NetworkAddressRules.isInternal("fe80::zz"))
        #expect(NetworkAddressRules.isInternal("1:2:3"))
    }
}
