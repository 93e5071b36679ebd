import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// What S3 knows of one object.
public struct S3ObjectInfo: Sendable, Equatable {
    public var key: String
    public var size: Int64
    public var etag: String
    public var lastModified: Date

    public init(key: String, size: Int64, etag: String, lastModified: Date) {
        self.key = key
        self.size = size
        self.etag = etag
        self.lastModified = lastModified
    }
}

/// One page of ListObjectsV2.
public struct S3ListPage: Sendable, Equatable {
    public var objects: [S3ObjectInfo]
    /// Where the next page starts; nil on the last page.
    public var continuationToken: String?
}

/// A small S3 client: SigV4-signed requests over AsyncHTTPClient, streaming bodies (nothing is held whole in
/// memory), typed errors parsed from S3's XML, and retries with jittered backoff for 5xx, `SlowDown` and connection
/// failures only. Path-style or virtual-hosted addressing against any S3-compatible endpoint.
public final class S3Client: Sendable {
    public let endpoint: URL
    public let region: String
    public let pathStyle: Bool
    let signer: SigV4Signer
    let retry: S3RetryPolicy
    let http: HTTPClient
    /// Bytes read from a file per request-body chunk.
    static let chunkSize = 1 << 20

    /// One HTTP client for every S3 client of the process (it lives as long as the process, like
    /// `HTTPClient.shared`). A refused connection fails at once rather than being retried inside the pool until the
    /// request's deadline: `S3RetryPolicy` decides about retries, with backoff, and reports a dead endpoint quickly.
    public static let sharedHTTP: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(5)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// - Parameter endpoint: nil means AWS itself for `region`.
    public init(
        endpoint: URL?, region: String = "us-east-1", pathStyle: Bool = false, credentials: S3Credentials,
        retry: S3RetryPolicy = S3RetryPolicy(), http: HTTPClient = S3Client.sharedHTTP
    ) {
        self.endpoint = endpoint ?? URL(string: "https://s3.\(region).amazonaws.com")!
        self.region = region
        self.pathStyle = pathStyle
        self.signer = SigV4Signer(credentials: credentials, region: region)
        self.retry = retry
        self.http = http
    }

    // MARK: - Addressing

    struct Target {
        var host: String
        var path: String
        var url: String
    }

    func target(bucket: String, key: String?, query: [(String, String)] = []) -> Target {
        let scheme = endpoint.scheme ?? "https"
        let port = endpoint.port.map { ":\($0)" } ?? ""
        let baseHost = (endpoint.host ?? "s3.amazonaws.com") + port
        let encodedKey = key.map { "/" + SigV4Signer.encode($0, keepSlash: true) } ?? ""
        let host = pathStyle ? baseHost : "\(bucket).\(baseHost)"
        let path = pathStyle ? "/\(bucket)\(key == nil ? "" : encodedKey)" : (encodedKey.isEmpty ? "/" : encodedKey)
        let queryText = SigV4Signer.canonicalQuery(query)
        return Target(
            host: host, path: path, url: "\(scheme)://\(host)\(path)" + (queryText.isEmpty ? "" : "?" + queryText))
    }

    // MARK: - Sending

    /// A request body that can be made again for a retry.
    enum Body {
        case none
        case bytes(ByteBuffer)
        case file(path: String, length: Int64)
    }

    /// Sends one signed request, trying again on retryable failures; an error status is parsed into `S3Error`.
    func send(
        _ method: HTTPMethod, bucket: String, key: String?, query: [(String, String)] = [],
        headers extra: [(String, String)] = [], body: Body = .none, payloadHash: String? = nil,
        resource: String
    ) async throws(S3Error) -> HTTPClientResponse {
        let target = target(bucket: bucket, key: key, query: query)
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await sendOnce(
                    method, target: target, query: query, headers: extra, body: body,
                    payloadHash: payloadHash, resource: resource)
            } catch {
                guard error.isRetryable, attempt < retry.attempts else { throw error }
                try? await Task.sleep(for: retry.delay(after: attempt, random: Double.random(in: 0...1)))
            }
        }
    }

    func sendOnce(
        _ method: HTTPMethod, target: Target, query: [(String, String)], headers extra: [(String, String)],
        body: Body, payloadHash: String?, resource: String
    ) async throws(S3Error) -> HTTPClientResponse {
        var request = HTTPClientRequest(url: target.url)
        request.method = method
        var signedHeaders = [("host", target.host)] + extra
        let hash: String
        switch body {
        case .none:
            hash = payloadHash ?? SigV4Signer.emptyPayloadHash
        case .bytes(let buffer):
            hash = payloadHash ?? SHA256.hash(data: buffer.readableBytesView).hexString
            request.body = .bytes(buffer)
            signedHeaders.append(("content-length", "\(buffer.readableBytes)"))
            if !signedHeaders.contains(where: { $0.0 == "content-md5" }) {
                signedHeaders.append(("content-md5", Self.contentMD5(buffer.readableBytesView)))
            }
        case .file(let path, let length):
            hash = payloadHash ?? SigV4Signer.unsignedPayload
            request.body = .stream(FileChunks(path: path, chunkSize: Self.chunkSize), length: .known(length))
            signedHeaders.append(("content-length", "\(length)"))
        }
        let authorization = signer.sign(
            method: method.rawValue, path: target.path, query: query, headers: signedHeaders, payloadHash: hash,
            date: Date())
        for (name, value) in signedHeaders + authorization where name != "host" {
            request.headers.replaceOrAdd(name: name, value: value)
        }
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: Self.timeout(for: body))
        } catch let error as S3Error {
            throw error
        } catch {
            throw .connection(String(describing: error))
        }
        guard (200..<300).contains(response.status.code) else {
            let text: String
            do {
                text = String(buffer: try await response.body.collect(upTo: 1 << 20))
            } catch {
                text = ""
            }
            throw S3Error.parse(status: Int(response.status.code), body: text, resource: resource)
        }
        return response
    }

    /// Time until the answer's head: a minute, plus one second per MiB sent (a slow link must not fail a big part).
    static func timeout(for body: Body) -> TimeAmount {
        let bytes: Int64
        switch body {
        case .none: bytes = 0
        case .bytes(let buffer): bytes = Int64(buffer.readableBytes)
        case .file(_, let length): bytes = length
        }
        return .seconds(60 + bytes / (1 << 20))
    }

    func collect(_ response: HTTPClientResponse, limit: Int = 16 << 20) async throws(S3Error) -> String {
        do {
            return String(buffer: try await response.body.collect(upTo: limit))
        } catch {
            throw .connection("reading the answer: \(error)")
        }
    }

    // MARK: - Buckets

    /// Succeeds when the bucket exists and the credentials may use it.
    public func headBucket(_ bucket: String) async throws(S3Error) {
        do {
            _ = try await send(.HEAD, bucket: bucket, key: nil, resource: bucket)
        } catch .noSuchKey {
            throw .noSuchBucket(bucket)
        }
    }

    public func createBucket(_ bucket: String) async throws(S3Error) {
        var body: Body = .none
        if region != "us-east-1" {
            body = .bytes(
                ByteBuffer(
                    string: "<CreateBucketConfiguration><LocationConstraint>\(region)</LocationConstraint>"
                        + "</CreateBucketConfiguration>"))
        }
        let response = try await send(.PUT, bucket: bucket, key: nil, body: body, resource: bucket)
        _ = try await collect(response)
    }

    public func deleteBucket(_ bucket: String) async throws(S3Error) {
        let response = try await send(.DELETE, bucket: bucket, key: nil, resource: bucket)
        _ = try await collect(response)
    }

    // MARK: - Objects

    /// Stores a file as one object. Its SHA-256 is signed in `x-amz-content-sha256`, so S3 refuses bytes that
    /// arrive damaged (`badDigest`). The file is read twice (hash, then send), never held whole.
    @discardableResult
    public func putObject(bucket: String, key: String, file path: String, contentType: String? = nil)
        async throws(S3Error) -> String
    {
        let (length, hash, md5) = try Self.sizeAndHash(of: path)
        var headers: [(String, String)] = [("content-md5", md5)]
        if let contentType { headers.append(("content-type", contentType)) }
        let response = try await send(
            .PUT, bucket: bucket, key: key, headers: headers, body: .file(path: path, length: length),
            payloadHash: hash, resource: key)
        _ = try await collect(response)
        return response.headers.first(name: "etag") ?? ""
    }

    @discardableResult
    public func putObject(bucket: String, key: String, bytes: ByteBuffer, contentType: String? = nil)
        async throws(S3Error) -> String
    {
        var headers: [(String, String)] = []
        if let contentType { headers.append(("content-type", contentType)) }
        let response = try await send(
            .PUT, bucket: bucket, key: key, headers: headers, body: .bytes(bytes), resource: key)
        _ = try await collect(response)
        return response.headers.first(name: "etag") ?? ""
    }

    /// The object's description, or nil when there is none.
    public func headObject(bucket: String, key: String) async throws(S3Error) -> S3ObjectInfo? {
        do {
            let response = try await send(.HEAD, bucket: bucket, key: key, resource: key)
            return Self.info(key: key, headers: response.headers)
        } catch .noSuchKey {
            return nil
        }
    }

    /// The object's bytes (all, or `range`, inclusive) as they arrive, with its description. The body must be
    /// read to its end (or the task cancelled) to free the connection.
    public func getObject(bucket: String, key: String, range: ClosedRange<Int64>? = nil) async throws(S3Error)
        -> (info: S3ObjectInfo, length: Int64, body: AsyncThrowingStream<ByteBuffer, any Error>)
    {
        var headers: [(String, String)] = []
        if let range { headers.append(("range", "bytes=\(range.lowerBound)-\(range.upperBound)")) }
        let response = try await send(.GET, bucket: bucket, key: key, headers: headers, resource: key)
        var info = Self.info(key: key, headers: response.headers)
        let length = Int64(response.headers.first(name: "content-length") ?? "") ?? info.size
        if let total = response.headers.first(name: "content-range")?.split(separator: "/").last.flatMap({ Int64($0) })
        {
            info.size = total
        }
        let (stream, continuation) = AsyncThrowingStream<ByteBuffer, any Error>.makeStream()
        let task = Task {
            do {
                for try await chunk in response.body { continuation.yield(chunk) }
                continuation.finish()
            } catch {
                continuation.finish(throwing: S3Error.connection("reading \(key): \(error)"))
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return (info, length, stream)
    }

    /// Streams the object into a file (written under a temporary name, then renamed).
    public func download(bucket: String, key: String, to path: String) async throws(S3Error) {
        let (_, _, body) = try await getObject(bucket: bucket, key: key)
        let temporary = path + ".part-\(UUID().uuidString.prefix(8))"
        guard FileManager.default.createFile(atPath: temporary, contents: nil),
            let handle = FileHandle(forWritingAtPath: temporary)
        else { throw .invalidResponse("cannot write \(temporary)") }
        do {
            defer { try? handle.close() }
            for try await chunk in body { try handle.write(contentsOf: chunk.readableBytesView) }
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw (error as? S3Error) ?? .connection("\(error)")
        }
        guard rename(temporary, path) == 0 else {
            try? FileManager.default.removeItem(atPath: temporary)
            throw .invalidResponse("cannot rename \(temporary) to \(path)")
        }
    }

    /// Removes the object; S3 answers the same whether it existed or not.
    public func deleteObject(bucket: String, key: String) async throws(S3Error) {
        let response = try await send(.DELETE, bucket: bucket, key: key, resource: key)
        _ = try await collect(response)
    }

    /// A server-side copy inside the bucket.
    public func copyObject(bucket: String, from source: String, to destination: String) async throws(S3Error) {
        let response = try await send(
            .PUT, bucket: bucket, key: destination,
            headers: [("x-amz-copy-source", "/\(bucket)/" + SigV4Signer.encode(source, keepSlash: true))],
            resource: source)
        // A copy can fail after a 200: the error is then in the body.
        let text = try await collect(response)
        if text.contains("<Error>") { throw S3Error.parse(status: 500, body: text, resource: source) }
    }

    /// One page of the objects under `prefix`, in key order.
    public func listObjects(bucket: String, prefix: String, continuationToken: String? = nil, maxKeys: Int = 1000)
        async throws(S3Error) -> S3ListPage
    {
        var query = [("list-type", "2"), ("prefix", prefix), ("max-keys", "\(maxKeys)")]
        if let continuationToken { query.append(("continuation-token", continuationToken)) }
        let response = try await send(.GET, bucket: bucket, key: nil, query: query, resource: bucket)
        let text = try await collect(response)
        let objects = S3XML.blocks("Contents", in: text).map { block in
            S3ObjectInfo(
                key: S3XML.value("Key", in: block) ?? "", size: Int64(S3XML.value("Size", in: block) ?? "") ?? 0,
                etag: S3XML.value("ETag", in: block) ?? "",
                lastModified: S3XML.value("LastModified", in: block).flatMap(Self.parseISODate)
                    ?? Date(timeIntervalSince1970: 0))
        }
        let truncated = S3XML.value("IsTruncated", in: text[...]) == "true"
        return S3ListPage(
            objects: objects, continuationToken: truncated ? S3XML.value("NextContinuationToken", in: text[...]) : nil)
    }

    /// Every object under `prefix`, page after page.
    public func listAllObjects(bucket: String, prefix: String) async throws(S3Error) -> [S3ObjectInfo] {
        var all: [S3ObjectInfo] = []
        var token: String?
        repeat {
            let page = try await listObjects(bucket: bucket, prefix: prefix, continuationToken: token)
            all += page.objects
            token = page.continuationToken
        } while token != nil
        return all
    }

    // MARK: - Multipart uploads

    public func createMultipartUpload(bucket: String, key: String, contentType: String? = nil) async throws(S3Error)
        -> String
    {
        var headers: [(String, String)] = []
        if let contentType { headers.append(("content-type", contentType)) }
        let response = try await send(
            .POST, bucket: bucket, key: key, query: [("uploads", "")], headers: headers, resource: key)
        guard let id = S3XML.value("UploadId", in: try await collect(response)[...]) else {
            throw .invalidResponse("no UploadId for \(key)")
        }
        return id
    }

    /// Sends one part (signed with its SHA-256, so a damaged part is refused); returns its ETag.
    public func uploadPart(bucket: String, key: String, uploadID: String, partNumber: Int, bytes: ByteBuffer)
        async throws(S3Error) -> String
    {
        let response = try await send(
            .PUT, bucket: bucket, key: key, query: [("partNumber", "\(partNumber)"), ("uploadId", uploadID)],
            body: .bytes(bytes), resource: key)
        _ = try await collect(response)
        guard let etag = response.headers.first(name: "etag") else {
            throw .invalidResponse("no ETag for part \(partNumber) of \(key)")
        }
        return etag
    }

    public func completeMultipartUpload(bucket: String, key: String, uploadID: String, parts: [(Int, String)])
        async throws(S3Error)
    {
        let xml =
            "<CompleteMultipartUpload>"
            + parts.sorted { $0.0 < $1.0 }.map {
                "<Part><PartNumber>\($0.0)</PartNumber><ETag>\(S3XML.escape($0.1))</ETag></Part>"
            }.joined() + "</CompleteMultipartUpload>"
        let response = try await send(
            .POST, bucket: bucket, key: key, query: [("uploadId", uploadID)], body: .bytes(ByteBuffer(string: xml)),
            resource: key)
        // Like a copy, a completion can fail after a 200.
        let text = try await collect(response)
        if text.contains("<Error>") { throw S3Error.parse(status: 500, body: text, resource: key) }
    }

    public func abortMultipartUpload(bucket: String, key: String, uploadID: String) async throws(S3Error) {
        let response = try await send(
            .DELETE, bucket: bucket, key: key, query: [("uploadId", uploadID)], resource: key)
        _ = try await collect(response)
    }

    /// Multipart uploads begun and neither completed nor aborted, under `prefix`: (key, upload ID).
    public func listMultipartUploads(bucket: String, prefix: String = "") async throws(S3Error) -> [(String, String)] {
        let response = try await send(
            .GET, bucket: bucket, key: nil, query: [("uploads", ""), ("prefix", prefix)], resource: bucket)
        return S3XML.blocks("Upload", in: try await collect(response)).compactMap { block in
            guard let key = S3XML.value("Key", in: block), let id = S3XML.value("UploadId", in: block) else {
                return nil
            }
            return (key, id)
        }
    }

    // MARK: - Presigned URLs

    /// A URL that GETs the object without credentials until `expires` seconds after `date`.
    public func presignedGET(bucket: String, key: String, expires: Int, date: Date = Date()) -> URL {
        let plain = target(bucket: bucket, key: key)
        let query = signer.presignedQuery(path: plain.path, host: plain.host, expires: expires, date: date)
        return URL(string: target(bucket: bucket, key: key, query: query).url)!
    }

    // MARK: - Helpers

    static func info(key: String, headers: HTTPHeaders) -> S3ObjectInfo {
        S3ObjectInfo(
            key: key, size: Int64(headers.first(name: "content-length") ?? "") ?? 0,
            etag: headers.first(name: "etag") ?? "",
            lastModified: headers.first(name: "last-modified").flatMap(parseHTTPDate) ?? Date(timeIntervalSince1970: 0))
    }

    static func parseISODate(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text) ?? ISO8601DateFormatter().date(from: text)
    }

    static func parseHTTPDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text)
    }

    /// A file's size, its SHA-256 (hex, for the signature) and its MD5 (base64, for `Content-MD5`), in one read.
    static func sizeAndHash(of path: String) throws(S3Error) -> (Int64, String, String) {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw .invalidResponse("cannot read \(path)") }
        defer { try? handle.close() }
        var hasher = SHA256()
        var md5 = Insecure.MD5()
        var size: Int64 = 0
        do {
            while let block = try handle.read(upToCount: chunkSize), !block.isEmpty {
                hasher.update(data: block)
                md5.update(data: block)
                size += Int64(block.count)
            }
        } catch {
            throw .invalidResponse("cannot read \(path): \(error)")
        }
        return (size, hasher.finalize().hexString, Data(md5.finalize()).base64EncodedString())
    }

    /// `Content-MD5` of a body: S3 refuses the request with `BadDigest` when the bytes it received differ, a
    /// second check beside the signed SHA-256 that every S3-compatible server performs.
    static func contentMD5(_ bytes: some DataProtocol) -> String {
        Data(Insecure.MD5.hash(data: bytes)).base64EncodedString()
    }
}

/// A file's bytes in chunks, for a streamed request body (made anew for each try).
struct FileChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let path: String
    let chunkSize: Int

    struct AsyncIterator: AsyncIteratorProtocol {
        let handle: FileHandle?
        let chunkSize: Int

        mutating func next() async throws -> ByteBuffer? {
            guard let handle else { throw S3Error.invalidResponse("cannot read the upload file") }
            guard let data = try handle.read(upToCount: chunkSize), !data.isEmpty else {
                try? handle.close()
                return nil
            }
            return ByteBuffer(data: data)
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(handle: FileHandle(forReadingAtPath: path), chunkSize: chunkSize)
    }
}
