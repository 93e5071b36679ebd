import Foundation
import Testing

@testable import SpoolCore

/// `s3://BUCKET/KEY` inputs: each tenant reads only its own `files/` under the storage bucket's root; the default
/// tenant also the buckets the administrator lists; nothing without a bucket storage.
@Suite struct ObjectInputTests {
    let layout = DataLayout(root: "/data")
    let policy = InputPolicy(storageObjectRoot: "media/spool", inputBuckets: ["archive"])

    func rule(_ uri: String, _ policy: InputPolicy) -> String? {
        do {
            _ = try JobRequest(input: uri, preset: "web-360p").validate(policy: policy)
            return nil
        } catch {
            return error.rule
        }
    }

    @Test func theDefaultTenantReadsItsFilesAndTheListedBuckets() throws {
        let spec = try JobRequest(input: "s3://media/spool/files/talks/a.mp4", preset: "web-360p")
            .validate(policy: policy)
        #expect(spec.input == .object(bucket: "media", key: "spool/files/talks/a.mp4"))
        #expect(rule("s3://archive/2019/b.mov", policy) == nil)
        #expect(rule("s3://media/spool/uploads/upl_x", policy) == "input_root", "not another folder of the storage")
        #expect(rule("s3://media/spool/tenants/acme/files/a.mp4", policy) == "input_root", "not a tenant's files")
        #expect(rule("s3://other/a.mp4", policy) == "input_root")
    }

    @Test func aTenantReadsOnlyItsOwnFiles() {
        let acme = policy.scoped(to: TenantID(rawValue: "acme"), layout: layout)
        #expect(rule("s3://media/spool/tenants/acme/files/a.mp4", acme) == nil)
        #expect(rule("s3://media/spool/files/a.mp4", acme) == "input_root")
        #expect(rule("s3://archive/2019/b.mov", acme) == "input_root", "listed buckets are the administrator's")
        #expect(rule("s3://media/spool/tenants/other/files/a.mp4", acme) == "input_root")
    }

    @Test func trickyKeysAndStoragesWithoutABucketAreRefused() {
        for uri in [
            "s3://media/spool/files/../uploads/x", "s3://media/spool/files//x", "s3://media/spool/files/./x",
            "s3://media", "s3://media/",
        ] {
            #expect(rule(uri, policy) != nil, "\(uri)")
        }
        #expect(rule("s3://media/spool/files/../uploads/x", policy) == "path_traversal")
        #expect(rule("s3://media/spool/files/a.mp4", InputPolicy()) == "input_root")
    }

    @Test func theURIRoundTrips() throws {
        let source = InputSource.object(bucket: "media", key: "spool/files/a b.mp4")
        let data = try JSONEncoder().encode(source)
        #expect(String(decoding: data, as: UTF8.self) == #""s3:\/\/media\/spool\/files\/a b.mp4""#)
        #expect(try JSONDecoder().decode(InputSource.self, from: data) == source)
    }
}
