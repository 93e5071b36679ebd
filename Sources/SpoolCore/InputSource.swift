/// Where a job's input comes from. Parsed from the request's `input` URI.
public enum InputSource: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// An absolute, canonical path under one of the server's input roots.
    case file(path: String)
    /// A remote URL. Fetched by Spool's own client, never handed to ffmpeg.
    case http(url: String)
    /// A file streamed to `POST /v1/uploads`.
    case upload(UploadID)
    /// An object in an S3 bucket (`s3://BUCKET/KEY`): under the tenant's own prefix of the storage bucket, or in a
    /// bucket the administrator allows. Read by the worker with the storage's credentials.
    case object(bucket: String, key: String)

    public var description: String {
        switch self {
        case .file(let path): "file://" + path
        case .http(let url): url
        case .upload(let id): "upload:" + id.rawValue
        case .object(let bucket, let key): "s3://" + bucket + "/" + key
        }
    }
}

extension InputSource: Codable {
    public init(from decoder: any Decoder) throws {
        let uri = try decoder.singleValueContainer().decode(String.self)
        if let id = uri.removingPrefix("upload:") {
            self = .upload(UploadID(rawValue: id))
        } else if let path = uri.removingPrefix("file://") {
            self = .file(path: path)
        } else if let rest = uri.removingPrefix("s3://"), let slash = rest.firstIndex(of: "/") {
            self = .object(bucket: String(rest[..<slash]), key: String(rest[rest.index(after: slash)...]))
        } else {
            self = .http(url: uri)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension String {
    func removingPrefix(_ prefix: String) -> String? {
        hasPrefix(prefix) ? String(dropFirst(prefix.count)) : nil
    }
}
