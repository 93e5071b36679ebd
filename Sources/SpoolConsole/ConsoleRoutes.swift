import Foundation
import HTTPTypes
import Hummingbird

/// Serves the web console: the page at `/` and its files at `/console/{file}`. The page holds no data and no key;
/// everything it shows it reads from `/v1` with the session cookie, so the routes need no authentication.
public struct ConsoleRoutes: Sendable {
    let assets: ConsoleAssets
    /// The security headers every answer carries, built once.
    let securityHeaders: HTTPFields

    /// `mediaOrigins`: other origins the page may load outputs from (a bucket that downloads redirect to).
    public init(assets: ConsoleAssets = .bundled, mediaOrigins: [String] = []) {
        self.assets = assets
        securityHeaders = ConsoleSecurityHeaders.fields(mediaOrigins: mediaOrigins)
    }

    public func add<Context: RequestContext>(to router: Router<Context>) {
        router.get("/") { request, _ -> Response in serve("index.html", request: request) }
        router.get("/console/{file}") { request, context -> Response in
            serve(try context.parameters.require("file"), request: request)
        }
    }

    func serve(_ name: String, request: Request) -> Response {
        var headers = securityHeaders
        guard let asset = assets.assets[name] else {
            headers[.contentType] = "text/plain; charset=utf-8"
            let message =
                assets.assets.isEmpty
                ? "the console is not bundled with this binary: copy the spool_SpoolConsole.resources folder beside it\n"
                : "no console file \(name)\n"
            return Response(
                status: .notFound, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: message)))
        }
        headers[.contentType] = asset.contentType
        headers[.eTag] = asset.entityTag
        // Revalidate every time: a new build's console must never run against a cached old script.
        headers[.cacheControl] = "no-cache"
        if request.headers[.ifNoneMatch]?.split(separator: ",").contains(where: {
            $0.trimmingCharacters(in: .whitespaces) == asset.entityTag
        }) == true {
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: asset.bytes)))
    }
}
