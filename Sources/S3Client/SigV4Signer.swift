import Crypto
import Foundation

/// AWS Signature Version 4 (checked against AWS's published test suite and the S3 examples): the canonical request,
/// the string to sign, the derived key and the `Authorization` header, or the same signature as query parameters
/// for a presigned URL.
public struct SigV4Signer: Sendable {
    public var credentials: S3Credentials
    public var region: String
    public var service: String

    public init(credentials: S3Credentials, region: String, service: String = "s3") {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// The hash S3 expects in `x-amz-content-sha256` for a body that is not signed (streamed from elsewhere).
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"
    public static let emptyPayloadHash = SHA256.hash(data: Data()).hexString

    /// `20150830T123600Z` and `20150830`.
    static func stamps(_ date: Date) -> (time: String, day: String) {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        let time = formatter.string(from: date)
        return (time, String(time.prefix(8)))
    }

    /// RFC 3986 unreserved characters stay; everything else is %XX (uppercase). Slashes stay in paths.
    public static func encode(_ text: String, keepSlash: Bool) -> String {
        var result = ""
        for byte in text.utf8 {
            if isUnreserved(byte) || (keepSlash && byte == UInt8(ascii: "/")) {
                result.unicodeScalars.append(UnicodeScalar(byte))
            } else {
                result += "%" + hexDigit(byte >> 4) + hexDigit(byte & 0x0F)
            }
        }
        return result
    }

    static func isUnreserved(_ byte: UInt8) -> Bool {
        let letter = (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
        let digit = byte >= 0x30 && byte <= 0x39
        return letter || digit || byte == 0x2D || byte == 0x5F || byte == 0x2E || byte == 0x7E
    }

    static let hexDigits = Array("0123456789ABCDEF")
    static func hexDigit(_ nibble: UInt8) -> String { String(hexDigits[Int(nibble)]) }

    /// Query parameters sorted by encoded name then value, each encoded.
    static func canonicalQuery(_ query: [(String, String)]) -> String {
        let encoded: [(name: String, value: String)] = query.map { pair in
            (encode(pair.0, keepSlash: false), encode(pair.1, keepSlash: false))
        }
        let sorted = encoded.sorted { a, b in a.name == b.name ? a.value < b.value : a.name < b.name }
        return sorted.map { $0.name + "=" + $0.value }.joined(separator: "&")
    }

    /// Lowercased names, values trimmed with inner runs of spaces folded, sorted by name.
    static func canonicalHeaders(_ headers: [(String, String)]) -> (text: String, signed: String) {
        var merged: [String: [String]] = [:]
        for (name, value) in headers {
            let folded = value.trimmingCharacters(in: .whitespaces).split(
                separator: " ", omittingEmptySubsequences: true
            )
            .joined(separator: " ")
            merged[name.lowercased(), default: []].append(folded)
        }
        let names = merged.keys.sorted()
        let text = names.map { "\($0):\(merged[$0]!.joined(separator: ","))\n" }.joined()
        return (text, names.joined(separator: ";"))
    }

    /// `path` is already URI-encoded (as it goes on the wire).
    public func canonicalRequest(
        method: String, path: String, query: [(String, String)], headers: [(String, String)], payloadHash: String
    ) -> String {
        let (canonical, signed) = Self.canonicalHeaders(headers)
        return [method, path.isEmpty ? "/" : path, Self.canonicalQuery(query), canonical, signed, payloadHash]
            .joined(separator: "\n")
    }

    public func scope(day: String) -> String { "\(day)/\(region)/\(service)/aws4_request" }

    public func stringToSign(canonicalRequest: String, time: String, day: String) -> String {
        [
            "AWS4-HMAC-SHA256", time, scope(day: day),
            SHA256.hash(data: Data(canonicalRequest.utf8)).hexString,
        ].joined(separator: "\n")
    }

    public func signature(stringToSign: String, day: String) -> String {
        func hmac(_ key: SymmetricKey, _ text: String) -> SymmetricKey {
            SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: key)))
        }
        var key = SymmetricKey(data: Data(("AWS4" + credentials.secretAccessKey).utf8))
        for part in [day, region, service, "aws4_request"] { key = hmac(key, part) }
        return Data(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key)).hexString
    }

    /// The headers to add to a request: `x-amz-date`, `x-amz-content-sha256`, the session token if any, and
    /// `Authorization`. `headers` must include `host` and every other header to sign.
    public func sign(
        method: String, path: String, query: [(String, String)], headers: [(String, String)], payloadHash: String,
        date: Date
    ) -> [(String, String)] {
        let (time, day) = Self.stamps(date)
        var added = [("x-amz-date", time), ("x-amz-content-sha256", payloadHash)]
        if let token = credentials.sessionToken { added.append(("x-amz-security-token", token)) }
        let all = headers + added
        let canonical = canonicalRequest(
            method: method, path: path, query: query, headers: all, payloadHash: payloadHash)
        let signature = signature(
            stringToSign: stringToSign(canonicalRequest: canonical, time: time, day: day), day: day)
        let signed = Self.canonicalHeaders(all).signed
        added.append(
            (
                "authorization",
                "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope(day: day)), "
                    + "SignedHeaders=\(signed), Signature=\(signature)"
            ))
        return added
    }

    /// The query of a presigned GET of `path` on `host`, valid `expires` seconds from `date`.
    public func presignedQuery(method: String = "GET", path: String, host: String, expires: Int, date: Date)
        -> [(String, String)]
    {
        let (time, day) = Self.stamps(date)
        var query = [
            ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"),
            ("X-Amz-Credential", "\(credentials.accessKeyID)/\(scope(day: day))"),
            ("X-Amz-Date", time), ("X-Amz-Expires", "\(expires)"), ("X-Amz-SignedHeaders", "host"),
        ]
        if let token = credentials.sessionToken { query.append(("X-Amz-Security-Token", token)) }
        let canonical = canonicalRequest(
            method: method, path: path, query: query, headers: [("host", host)], payloadHash: Self.unsignedPayload)
        query.append(
            (
                "X-Amz-Signature",
                signature(stringToSign: stringToSign(canonicalRequest: canonical, time: time, day: day), day: day)
            ))
        return query
    }
}

extension Sequence where Element == UInt8 {
    var hexString: String { map { String(format: "%02x", $0) }.joined() }
}

extension Digest {
    var hexString: String { Array(self).hexString }
}
