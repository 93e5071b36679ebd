import Foundation
import Hummingbird
import SpoolCore
import SpoolStorage

extension SpoolAPI {
    /// Serves committed outputs. Only files the job's record lists can be named, so no path from a request ever
    /// reaches the filesystem unchecked. Outputs never change once committed, hence the long cache lifetime for a CDN.
    func addOutputRoutes(to router: Router<SpoolRequestContext>) {
        let handler: @Sendable (Request, SpoolRequestContext) async throws -> Response = { request, context in
            let job = try await requireJob(context)
            let name = try context.parameters.require("name")
            guard let output = job.outputs.first(where: { $0.name == name }) else {
                throw Problem.notFound(
                    job.state == .succeeded
                        ? "job \(job.id) has no output '\(name)'"
                        : "job \(job.id) is \(job.state.rawValue); outputs appear when it succeeds")
            }
            let rest = context.parameters.getCatchAll().joined(separator: "/")
            let relative =
                rest.isEmpty
                ? output.path
                : output.path.split(separator: "/").dropLast().map(String.init)
                    .appending(rest).joined(separator: "/")
            guard output.files.contains(relative) || (rest.isEmpty && relative == output.path) else {
                throw Problem.notFound(
                    "output '\(name)' has no file '\(rest)'; it has \(output.files.joined(separator: ", "))")
            }
            let path = configuration.layout.outputDirectory(job.id) + "/" + relative
            try storage.admit()
            if configuration.uploadsAreRemote {
                return try await objectResponse(
                    ObjectKey(checked: configuration.layout.outputKey(job.id, attempt: job.attempt, path: relative)),
                    job: job, relative: relative, request: request)
            }
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                let size = (attributes[.size] as? NSNumber)?.intValue
            else {
                throw Problem.unavailable("output file \(relative) is not published yet; try again shortly")
            }
            // The same on every gateway (no per-process hash seed), so a CDN or NGINX can revalidate anywhere.
            let etag = "\"\(job.id.rawValue)-\(Self.stableHash(relative))-\(size)\""
            var headers: HTTPFields = [
                .contentType: MediaTypes.forPath(relative),
                .cacheControl: "public, max-age=31536000, immutable",
                .eTag: etag,
                .acceptRanges: "bytes",
            ]
            if let match = request.headers[.ifNoneMatch],
                match == "*"
                    || match.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == etag })
            {
                return Response(status: .notModified, headers: headers)
            }
            let decision = ByteRange.decide(
                range: request.headers[.range], ifRange: request.headers[.ifRange], etag: etag, size: size)
            if decision == .unsatisfiable { return ByteRange.refusal(size: size) }
            if case .partial(let range) = decision {
                headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound)/\(size)"
                headers[.contentLength] = String(range.count)
                let body = try await storage.perform("read an output") {
                    try await FileIO().loadFile(path: path, range: range, context: context)
                }
                storage.succeeded()
                return Response(status: .partialContent, headers: headers, body: body)
            }
            headers[.contentLength] = String(size)
            let body = try await storage.perform("read an output") {
                try await FileIO().loadFile(path: path, context: context)
            }
            storage.succeeded()
            return Response(status: .ok, headers: headers, body: body)
        }
        router.get("/v1/jobs/{id}/outputs/{name}", use: handler)
        router.get("/v1/jobs/{id}/outputs/{name}/**", use: handler)
    }
}

extension SpoolAPI {
    /// An output read from a bucket, streamed with the same `Range`, `ETag` and `Cache-Control` as from the volume.
    func objectResponse(_ key: ObjectKey, job: Job, relative: String, request: Request) async throws -> Response {
        let objects = configuration.objects
        if configuration.redirectDownloads, let url = objects.presignedURL(key, expires: .seconds(900)) {
            // The job's record lists this file, so the URL names nothing the caller may not read; it expires.
            return Response(
                status: .temporaryRedirect, headers: [.location: url.absoluteString, .cacheControl: "no-store"])
        }
        guard let object = try await storage.perform("look up an output", { try await objects.head(key) }) else {
            storage.succeeded()
            throw Problem.unavailable("output file \(relative) is not published yet; try again shortly")
        }
        let size = Int(object.size)
        let etag = "\"\(job.id.rawValue)-\(Self.stableHash(relative))-\(size)\""
        var headers: HTTPFields = [
            .contentType: MediaTypes.forPath(relative),
            .cacheControl: "public, max-age=31536000, immutable",
            .eTag: etag,
            .acceptRanges: "bytes",
        ]
        if let match = request.headers[.ifNoneMatch],
            match == "*"
                || match.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == etag })
        {
            return Response(status: .notModified, headers: headers)
        }
        let range: ClosedRange<Int>?
        switch ByteRange.decide(
            range: request.headers[.range], ifRange: request.headers[.ifRange], etag: etag, size: size)
        {
        case .whole: range = nil
        case .partial(let part): range = part
        case .unsatisfiable: return ByteRange.refusal(size: size)
        }
        let body = try await storage.perform("read an output") {
            try await objects.read(key, range: range.map { Int64($0.lowerBound)...Int64($0.upperBound) })
        }
        storage.succeeded()
        headers[.contentLength] = String(body.length)
        let responseBody = ResponseBody(asyncSequence: body)
        if let range {
            headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound)/\(size)"
            return Response(status: .partialContent, headers: headers, body: responseBody)
        }
        return Response(status: .ok, headers: headers, body: responseBody)
    }

    /// FNV-1a of a path, as hex: stable across processes and restarts.
    static func stableHash(_ text: String) -> String { String(StableHash.fnv1a64(text), radix: 16) }
}

extension Array {
    fileprivate func appending(_ element: Element) -> [Element] { self + [element] }
}

/// What a `GET` with `Range` (and `If-Range`) gets, per RFC 9110 §14: the whole body, one part, or 416.
enum ByteRange: Equatable {
    case whole
    case partial(ClosedRange<Int>)
    case unsatisfiable

    /// - Parameters:
    ///   - range: the `Range` header; a malformed or multi-range one is ignored (the whole body).
    ///   - ifRange: the `If-Range` header; unless it is this representation's ETag (a date never is: outputs carry
    ///     no Last-Modified), the range is ignored and the whole body sent (§13.1.5).
    static func decide(range: String?, ifRange: String?, etag: String, size: Int) -> ByteRange {
        guard let range else { return .whole }
        if let ifRange, ifRange.trimmingCharacters(in: .whitespaces) != etag { return .whole }
        guard range.hasPrefix("bytes="), !range.contains(",") else { return .whole }
        let spec = range.dropFirst("bytes=".count).split(separator: "-", omittingEmptySubsequences: false)
        guard spec.count == 2 else { return .whole }
        switch (Int(spec[0]), Int(spec[1])) {
        case (let start?, let end?) where start <= end:
            return start < size ? .partial(start...min(end, size - 1)) : .unsatisfiable
        case (let start?, nil) where spec[1].isEmpty:
            return start < size ? .partial(start...(size - 1)) : .unsatisfiable
        case (nil, let suffix?) where spec[0].isEmpty:
            return suffix > 0 && size > 0 ? .partial(max(0, size - suffix)...(size - 1)) : .unsatisfiable
        default:
            return .whole
        }
    }

    /// The 416 answer: which sizes exist.
    static func refusal(size: Int) -> Response {
        Response(status: .rangeNotSatisfiable, headers: [.contentRange: "bytes */\(size)", .contentLength: "0"])
    }
}

enum MediaTypes {
    static func forPath(_ path: String) -> String {
        switch path.split(separator: ".").last?.lowercased() {
        case "mp4": "video/mp4"
        case "m3u8": "application/vnd.apple.mpegurl"
        case "ts": "video/mp2t"
        case "m4s": "video/iso.segment"
        case "jpg", "jpeg": "image/jpeg"
        default: "application/octet-stream"
        }
    }
}
