import Foundation
import Testing

@testable import S3Client

/// Signature Version 4 against AWS's published vectors: the aws-sig-v4-test-suite (get-vanilla,
/// get-vanilla-query-order-key-case, post-vanilla; credentials AKIDEXAMPLE, region us-east-1, service "service",
/// 20150830T123600Z) and the examples of the S3 SigV4 documentation ("Signature Calculations for the Authorization
/// Header" GET Object with Range, and the presigned-URL example; examplebucket, 20130524T000000Z). The suite's
/// values were also cross-checked with botocore.
@Suite struct SigV4Tests {
    let suite = SigV4Signer(
        credentials: S3Credentials(
            accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
        region: "us-east-1", service: "service")
    let s3Docs = SigV4Signer(
        credentials: S3Credentials(
            accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        region: "us-east-1")

    func suiteSignature(method: String, query: [(String, String)]) -> (canonical: String, signature: String) {
        let headers = [("host", "example.amazonaws.com"), ("x-amz-date", "20150830T123600Z")]
        let canonical = suite.canonicalRequest(
            method: method, path: "/", query: query, headers: headers, payloadHash: SigV4Signer.emptyPayloadHash)
        let toSign = suite.stringToSign(canonicalRequest: canonical, time: "20150830T123600Z", day: "20150830")
        return (canonical, suite.signature(stringToSign: toSign, day: "20150830"))
    }

    @Test func getVanilla() {
        let (canonical, signature) = suiteSignature(method: "GET", query: [])
        #expect(
            canonical == """
                GET
                /

                host:example.amazonaws.com
                x-amz-date:20150830T123600Z

                host;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """)
        let toSign = suite.stringToSign(canonicalRequest: canonical, time: "20150830T123600Z", day: "20150830")
        #expect(
            toSign == """
                AWS4-HMAC-SHA256
                20150830T123600Z
                20150830/us-east-1/service/aws4_request
                bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63
                """)
        #expect(signature == "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
    }

    @Test func getVanillaQueryOrderKeyCase() {
        let (canonical, signature) = suiteSignature(method: "GET", query: [("Param2", "value2"), ("Param1", "value1")])
        #expect(canonical.split(separator: "\n", omittingEmptySubsequences: false)[2] == "Param1=value1&Param2=value2")
        #expect(signature == "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500")
    }

    @Test func postVanilla() {
        #expect(
            suiteSignature(method: "POST", query: []).signature
                == "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b")
    }

    /// The S3 documentation's GET Object example: a Range header, the empty payload's hash signed.
    @Test func s3GetObjectWithRange() throws {
        let date = try #require(ISO8601DateFormatter().date(from: "2013-05-24T00:00:00Z"))
        let added = s3Docs.sign(
            method: "GET", path: "/test.txt", query: [],
            headers: [("host", "examplebucket.s3.amazonaws.com"), ("range", "bytes=0-9")],
            payloadHash: SigV4Signer.emptyPayloadHash, date: date)
        let authorization = try #require(added.first { $0.0 == "authorization" }?.1)
        #expect(
            authorization
                == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
                + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
                + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    /// The S3 documentation's presigned URL example (24 hours).
    @Test func s3PresignedURL() throws {
        let date = try #require(ISO8601DateFormatter().date(from: "2013-05-24T00:00:00Z"))
        let query = s3Docs.presignedQuery(
            path: "/test.txt", host: "examplebucket.s3.amazonaws.com", expires: 86400, date: date)
        #expect(
            query.first { $0.0 == "X-Amz-Signature" }?.1
                == "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")
        let client = S3Client(
            endpoint: URL(string: "https://s3.amazonaws.com"), region: "us-east-1", pathStyle: false,
            credentials: s3Docs.credentials)
        let url = client.presignedGET(bucket: "examplebucket", key: "test.txt", expires: 86400, date: date)
        #expect(url.host == "examplebucket.s3.amazonaws.com" && url.path == "/test.txt")
        #expect(url.query?.contains("X-Amz-Signature=aeeed9bb") == true)
    }

    @Test func encodingKeepsUnreservedAndSlashesOnly() {
        #expect(SigV4Signer.encode("a b/c~d_e.f-g", keepSlash: true) == "a%20b/c~d_e.f-g")
        #expect(SigV4Signer.encode("a/b=c&ü", keepSlash: false) == "a%2Fb%3Dc%26%C3%BC")
    }
}

@Suite struct S3ErrorTests {
    @Test func errorsAreParsedFromTheirXML() {
        let body = """
            <?xml version="1.0" encoding="UTF-8"?>
            <Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message>\
            <BucketName>media</BucketName><RequestId>4442587FB7D0A2F9</RequestId></Error>
            """
        #expect(S3Error.parse(status: 404, body: body, resource: "x") == .noSuchBucket("media"))
        let denied = "<Error><Code>SignatureDoesNotMatch</Code><Message>bad &amp; wrong</Message></Error>"
        #expect(S3Error.parse(status: 403, body: denied, resource: "k") == .signatureDoesNotMatch("bad & wrong"))
        #expect(S3Error.parse(status: 404, body: "", resource: "k") == .noSuchKey("k"), "HEAD answers have no body")
        #expect(
            S3Error.parse(
                status: 500, body: "<Error><Code>InternalError</Code><Message>m</Message></Error>", resource: "")
                == .service(code: "InternalError", status: 500, message: "m"))
    }

    @Test func onlyServerFailuresSlowDownAndConnectionsAreRetried() {
        #expect(S3Error.service(code: "InternalError", status: 500, message: "").isRetryable)
        #expect(S3Error.slowDown("").isRetryable && S3Error.connection("refused").isRetryable)
        #expect(!S3Error.noSuchKey("k").isRetryable && !S3Error.accessDenied("").isRetryable)
        #expect(!S3Error.service(code: "InvalidArgument", status: 400, message: "").isRetryable)
        let policy = S3RetryPolicy(attempts: 4, baseDelay: .milliseconds(100), maxDelay: .seconds(1))
        #expect(policy.delay(after: 1, random: 1) == .milliseconds(100))
        #expect(policy.delay(after: 3, random: 0.5) == .milliseconds(200))
        #expect(policy.delay(after: 10, random: 1) == .seconds(1), "capped")
    }

    @Test func credentialsComeFromTheEnvironmentOrTheSharedFileAndAreNeverPrinted() throws {
        let fromEnvironment = try S3Credentials.load(environment: [
            "AWS_ACCESS_KEY_ID": "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "topsecret", "AWS_SESSION_TOKEN": "tok",
        ])
        #expect(fromEnvironment.sessionToken == "tok")
        #expect(!"\(fromEnvironment)".contains("topsecret") && !"\(fromEnvironment)".contains("AKIAEXAMPLE"))
        let file = """
            [default]
            aws_access_key_id = A1
            aws_secret_access_key = S1
            # a comment
            [media]
            aws_access_key_id=A2
            aws_secret_access_key=S2
            """
        #expect(try S3Credentials.parse(sharedCredentials: file, profile: "media").accessKeyID == "A2")
        #expect(throws: S3Error.self) { try S3Credentials.parse(sharedCredentials: file, profile: "absent") }
        #expect(throws: S3Error.self) {
            try S3Credentials.load(environment: ["AWS_ACCESS_KEY_ID": "only-half", "HOME": "/nonexistent"])
        }
    }
}
