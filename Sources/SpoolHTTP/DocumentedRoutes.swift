import Foundation
import HTTPTypes
import Hummingbird
import SpoolAPIModels

/// The paths and methods `openapi.yaml` documents, read from the bundled document itself so the server's 405s and
/// the document cannot drift apart: a method the document does not list for a path it does list is answered
/// `405 Method Not Allowed` with an `Allow` header (RFC 9110 §15.5.6), not 404.
struct DocumentedRoutes: Equatable {
    /// Path template (`/v1/jobs/{id}`) → documented methods, upper case.
    var methods: [String: Set<String>]

    /// Methods a client may send that get a 405 where undocumented. HEAD is left to the router, which answers it
    /// from GET where there is one.
    static let answered = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "QUERY"]

    /// Reads the `paths:` section: a path at two spaces' indent, its methods at four.
    init(openAPI text: String) {
        var methods: [String: Set<String>] = [:]
        var inPaths = false
        var current: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if !line.hasPrefix(" ") && !line.isEmpty {
                inPaths = line.hasPrefix("paths:")
                current = nil
                continue
            }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), line.hasSuffix(":"), !line.hasPrefix("   ") {
                let path = String(line.dropFirst(2).dropLast())
                current = path
                methods[path, default: []] = []
            } else if let current, line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":") {
                let word = line.trimmingCharacters(in: .whitespaces).dropLast().uppercased()
                if Self.answered.contains(word) || word == "HEAD" { methods[current, default: []].insert(word) }
            }
        }
        self.methods = methods
    }

    /// The bundled document's routes; empty if the build has none.
    static let bundled: DocumentedRoutes = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"),
            let text = try? String(contentsOf: url, encoding: .utf8)
        else { return DocumentedRoutes(openAPI: "") }
        return DocumentedRoutes(openAPI: text)
    }()

    /// What `Allow` says for a path: its documented methods, and HEAD wherever GET is.
    func allow(_ path: String) -> String {
        var allowed = methods[path] ?? []
        if allowed.contains("GET") { allowed.insert("HEAD") }
        return allowed.sorted().joined(separator: ", ")
    }

    /// Registers a 405 responder for every answered method a documented path does not list. A route the server adds
    /// for a method the document leaves out then stops the server at start-up (the router refuses a second
    /// responder), which the tests catch.
    func addMethodNotAllowed<Context: RequestContext>(to router: Router<Context>) {
        for (path, documented) in methods.sorted(by: { $0.key < $1.key }) {
            let allow = allow(path)
            // OpenAPI has no parameter that spans segments; the router's `**` is what `{path}` there stands for.
            let routed = path.hasSuffix("/{path}") ? String(path.dropLast("{path}".count)) + "**" : path
            for method in Self.answered where !documented.contains(method) {
                router.on(RouterPath(routed), method: HTTPRequest.Method(method)!) { _, _ -> Response in
                    var problem = ProblemError(
                        ProblemDetails(
                            type: "https://spool.dev/problems/method-not-allowed", title: "Method not allowed",
                            status: 405, detail: "\(path) answers \(allow)"))
                    problem.headers[.allow] = allow
                    throw problem
                }
            }
        }
    }
}
