/// Why an S3 request failed, parsed from the XML error S3 sends (or the status, for HEAD, which has no body), with
/// what to do about it.
public enum S3Error: Error, Sendable, Equatable, CustomStringConvertible {
    case noSuchBucket(String)
    case noSuchKey(String)
    case noSuchUpload(String)
    case accessDenied(String)
    case invalidAccessKeyID(String)
    case signatureDoesNotMatch(String)
    case invalidRange(String)
    /// The payload did not arrive as hashed or digested (`BadDigest`, `XAmzContentSHA256Mismatch`).
    case badDigest(String)
    case slowDown(String)
    case bucketAlreadyExists(String)
    /// Any other answer S3 gave: its code, HTTP status and message.
    case service(code: String, status: Int, message: String)
    /// No answer: connection refused, reset, timed out.
    case connection(String)
    case credentials(String)
    case invalidResponse(String)

    /// The failures worth another try: the service's own (5xx), `SlowDown`, and connections. Never a 4xx answer.
    public var isRetryable: Bool {
        switch self {
        case .slowDown, .connection: true
        case .service(_, let status, _): status >= 500
        default: false
        }
    }

    public var description: String {
        switch self {
        case .noSuchBucket(let bucket): "the bucket \(bucket) does not exist: create it, or fix the bucket name"
        case .noSuchKey(let key): "no object \(key)"
        case .noSuchUpload(let id): "no multipart upload \(id) (completed or aborted already)"
        case .accessDenied(let message): "access denied: \(message); check the key's permissions on the bucket"
        case .invalidAccessKeyID(let message):
            "the access key is not known to the server: \(message); check AWS_ACCESS_KEY_ID"
        case .signatureDoesNotMatch(let message):
            "the signature does not match: \(message); check AWS_SECRET_ACCESS_KEY and the region"
        case .invalidRange(let message): "the range is outside the object: \(message)"
        case .badDigest(let message): "the body arrived damaged: \(message)"
        case .slowDown(let message): "S3 asks to slow down: \(message)"
        case .bucketAlreadyExists(let bucket): "the bucket \(bucket) exists already"
        case .service(let code, let status, let message): "S3 answered \(status) \(code): \(message)"
        case .connection(let message): "S3 cannot be reached: \(message)"
        case .credentials(let message): message
        case .invalidResponse(let message): "S3 answered something unexpected: \(message)"
        }
    }

    /// The error in an S3 XML body (`<Error><Code>…</Code><Message>…</Message>…`), or one from the status alone.
    public static func parse(status: Int, body: String, resource: String) -> S3Error {
        let xml = body[...]
        let message = S3XML.value("Message", in: xml) ?? "HTTP \(status)"
        guard let code = S3XML.value("Code", in: xml) else { return fromStatus(status, resource: resource) }
        switch code {
        case "NoSuchBucket": return .noSuchBucket(S3XML.value("BucketName", in: xml) ?? resource)
        case "NoSuchKey": return .noSuchKey(S3XML.value("Key", in: xml) ?? resource)
        case "NoSuchUpload": return .noSuchUpload(resource)
        case "AccessDenied": return .accessDenied(message)
        case "InvalidAccessKeyId": return .invalidAccessKeyID(message)
        case "SignatureDoesNotMatch": return .signatureDoesNotMatch(message)
        case "InvalidRange": return .invalidRange(message)
        case "BadDigest", "XAmzContentSHA256Mismatch", "InvalidDigest": return .badDigest(message)
        case "SlowDown", "Throttling", "RequestLimitExceeded": return .slowDown(message)
        case "BucketAlreadyExists", "BucketAlreadyOwnedByYou": return .bucketAlreadyExists(resource)
        default: return .service(code: code, status: status, message: message)
        }
    }

    static func fromStatus(_ status: Int, resource: String) -> S3Error {
        switch status {
        case 404: .noSuchKey(resource)
        case 403: .accessDenied("HTTP 403 for \(resource)")
        case 416: .invalidRange(resource)
        case 503: .slowDown("HTTP 503")
        default: .service(code: "HTTP\(status)", status: status, message: resource)
        }
    }
}
