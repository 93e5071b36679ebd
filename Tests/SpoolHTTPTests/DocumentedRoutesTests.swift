import Foundation
import Hummingbird
import HummingbirdTesting
import SpoolAPIModels
import Testing

@testable import SpoolCore
@testable import SpoolHTTP

/// The methods the document lists for a path are the ones served; others get 405 with `Allow` (RFC 9110 §15.5.6),
/// read from the bundled openapi.yaml itself.
@Suite struct DocumentedRoutesTests {
    @Test func thePathsSectionIsReadWithItsMethods() {
        let routes = DocumentedRoutes(
            openAPI: """
                openapi: 3.1.0
                paths:
                  /v1/jobs:
                    post:
                      summary: Submit
                      responses:
                        '202': { description: ok }
                    get:
                      parameters:
                        - { name: limit, in: query }
                  /health:
                    get:
                      responses: {}
                components:
                  schemas:
                    get:
                      type: object
                """)
        #expect(routes.methods == ["/v1/jobs": ["GET", "POST"], "/health": ["GET"]])
        #expect(routes.allow("/v1/jobs") == "GET, HEAD, POST")
    }

    @Test func theBundledDocumentListsEveryRouteFamily() {
        let routes = DocumentedRoutes.bundled.methods
        #expect(routes["/v1/jobs"] == ["GET", "POST"])
        #expect(routes["/v1/jobs/{id}/outputs/{name}/{path}"] == ["GET"])
        #expect(routes["/health"] == ["GET"])
        #expect(routes.count > 25)
    }

    @Test func undocumentedMethodsAre405WithAllow() async throws {
        let fixture = try APITests.Fixture()
        defer { fixture.cleanUp() }
        try await fixture.app.test(.router) { client in
            for (method, path, allow) in [
                (HTTPRequest.Method.trace, "/health", "GET, HEAD"),
                (.put, "/v1/jobs", "GET, HEAD, POST"),
                (HTTPRequest.Method("QUERY")!, "/v1/presets", "GET, HEAD"),
                (.delete, "/v1/jobs/job_x/outputs/mp4/a/b.ts", "GET, HEAD"),
            ] {
                let response = try await client.execute(uri: path, method: method)
                #expect(response.status == .methodNotAllowed, "\(method) \(path)")
                #expect(response.headers[.allow] == allow)
                #expect(response.headers[.contentType] == "application/problem+json")
            }
            // Documented methods and HEAD are untouched; unknown paths stay 404.
            #expect(try await client.execute(uri: "/health", method: .get).status == .ok)
            #expect(try await client.execute(uri: "/health", method: .head).status == .ok)
            #expect(try await client.execute(uri: "/v1/nothing", method: .trace).status == .notFound)
        }
    }

    @Test func aCursorOfZeroIsWellFormedAndPagesPastTheOldest() throws {
        #expect(try ListCursor.decode(ListCursor.encode(seq: 0)) == 0)
        #expect(throws: StoreError.self) { try ListCursor.decode("djE6") }
    }
}
