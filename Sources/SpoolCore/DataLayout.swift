/// Where Spool keeps its files under the data directory. Every process of a deployment shares this layout.
///
///     DATA/spool.sqlite               embedded store (WAL)
///     DATA/uploads/ID                 finished uploads (ID.part while streaming)
///     DATA/work/JOB/aN/               attempt N's private staging area: fetched input, ffmpeg.pid, out/
///     DATA/outputs/JOB/               published outputs (renamed from work/JOB/aN/out after the commit)
///     TENANT_ROOT/results/KEY         the job whose outputs answer KEY (input bytes + outputs), for deduplication
public struct DataLayout: Sendable, Equatable {
    public var root: String
    /// The URI of the storage that holds uploads and published outputs, under the same keys as the paths here:
    /// `file://ROOT` when it is this directory, `file:///OTHER` or `s3://BUCKET/PREFIX` when `--storage` says so.
    public var storageURI: String
    /// Outputs are kept by attempt (`outputs/JOB/aN/…`) in a storage other than this directory: there is no rename,
    /// so the attempt whose commit landed is the one whose objects are the job's outputs, and nothing is copied.
    public var outputsByAttempt: Bool

    public init(root: String, storageURI: String? = nil, outputsByAttempt: Bool = false) {
        self.root = root.hasSuffix("/") && root.count > 1 ? String(root.dropLast()) : root
        self.storageURI = storageURI ?? "file://" + self.root
        self.outputsByAttempt = outputsByAttempt
    }

    /// The storage key of a file of a job's outputs, made by attempt `attempt` (the committed one).
    public func outputKey(_ job: JobID, attempt: Int, path: String) -> String {
        outputPrefix(job, attempt: attempt) + path
    }

    /// The storage key prefix (ending in `/`) under which attempt `attempt` of a job keeps its outputs.
    public func outputPrefix(_ job: JobID, attempt: Int) -> String {
        key(of: outputDirectory(job)) + (outputsByAttempt ? "/a\(attempt)/" : "/")
    }

    /// Where a published output file of a job is, as a URI a person or a tool can use.
    public func outputURI(_ job: JobID, attempt: Int, path: String) -> String {
        storageURI + "/" + outputKey(job, attempt: attempt, path: path)
    }

    public var database: String { root + "/spool.sqlite" }

    /// A path under the root as the key of the same object in a storage backend (`uploads/ID`,
    /// `outputs/JOB/NAME`, …): every backend lays objects out as the data directory does.
    public func key(of path: String) -> String {
        precondition(path.hasPrefix(root + "/"), "\(path) is not under \(root)")
        return String(path.dropFirst(root.count + 1))
    }
    public var uploads: String { root + "/uploads" }
    public var work: String { root + "/work" }
    public var outputs: String { root + "/outputs" }

    public func upload(_ id: UploadID) -> String { uploads + "/" + id.rawValue }
    public func partialUpload(_ id: UploadID) -> String { upload(id) + ".part" }

    /// Where a tenant's own files live: the data directory itself for the default tenant (the embedded, keyless
    /// setup), `tenants/ID` for every tenant with a key. Tenant IDs are checked to be plain names, so this cannot
    /// leave the data directory.
    public func tenantRoot(_ tenant: TenantID) -> String {
        tenant == .default ? root : root + "/tenants/" + tenant.rawValue
    }
    public func uploads(for tenant: TenantID) -> String { tenantRoot(tenant) + "/uploads" }
    public func upload(_ id: UploadID, tenant: TenantID) -> String { uploads(for: tenant) + "/" + id.rawValue }
    /// The only directory a tenant's `file://` inputs may come from.
    public func inputFiles(for tenant: TenantID) -> String { tenantRoot(tenant) + "/files" }
    /// The content index of a tenant's results: one small file per (input bytes, outputs) key naming the job that
    /// made them. Per tenant, so one tenant can never learn what another has transcoded.
    public func results(for tenant: TenantID) -> String { tenantRoot(tenant) + "/results" }
    public func workDirectory(_ job: JobID) -> String { work + "/" + job.rawValue }
    public func attemptDirectory(_ job: JobID, attempt: Int) -> String { workDirectory(job) + "/a\(attempt)" }
    public func stagingDirectory(_ job: JobID, attempt: Int) -> String {
        attemptDirectory(job, attempt: attempt) + "/out"
    }
    public func pidFile(_ job: JobID, attempt: Int) -> String {
        attemptDirectory(job, attempt: attempt) + "/ffmpeg.pid"
    }
    public func outputDirectory(_ job: JobID) -> String { outputs + "/" + job.rawValue }

    /// Parses an attempt directory name (`a3` → 3).
    public static func attemptNumber(directoryName: String) -> Int? {
        guard directoryName.first == "a" else { return nil }
        return Int(directoryName.dropFirst())
    }
}
