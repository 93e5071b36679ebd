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
            if let range = request.headers[.range].flatMap({ ByteRange.parse($0, size: size) }) {
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
        let range = request.headers[.range].flatMap { ByteRange.parse($0, size: size) }
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

enum ByteRange {
    /// Parses a single `bytes=a-b`, `bytes=a-` or `bytes=-n` range. Multi-range requests get the whole file.
    static func parse(_ header: String, size: Int) -> ClosedRange<Int>? {
        guard size > 0, header.hasPrefix("bytes="), !header.contains(",") else { return nil }
        let spec = header.dropFirst("bytes=".count).split(separator: "-", omittingEmptySubsequences: false)
        guard spec.count == 2 else { return nil }
        switch (Int(spec[0]), Int(spec[1])) {
        case (let start?, let end?) where start <= end && start < size: return start...min(end, size - 1)
        case (let start?, nil) where start < size: return start...(size - 1)
        case (nil, let suffix?) where suffix > 0: return max(0, size - suffix)...(size - 1)
        default: return nil
        }
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
