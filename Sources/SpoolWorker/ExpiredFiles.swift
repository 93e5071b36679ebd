import Foundation
import SpoolControlPlane
import SpoolCore
import SpoolStorage

/// The files of expired jobs in the storage that holds uploads and outputs: the data directory (`file://`) or a
/// bucket, laid out alike (`outputs/JOB/…`, `[tenants/T/]uploads/ID`, `[tenants/T/]results/KEY`).
public struct ExpiredFiles: ExpiredJobFiles {
    let objects: any ObjectStorage
    let layout: DataLayout

    public init(objects: any ObjectStorage, layout: DataLayout) {
        self.objects = objects
        self.layout = layout
    }

    public func deleteOutputs(of job: JobID) async throws -> Int {
        try await objects.deleteAll(prefix: layout.key(of: layout.outputDirectory(job)) + "/")
    }

    public func deleteUpload(_ upload: UploadID, tenant: TenantID) async throws {
        try await objects.delete(ObjectKey(checked: layout.key(of: layout.upload(upload, tenant: tenant))))
    }

    public func deleteResultEntry(_ key: String, tenant: TenantID, ifNaming job: JobID) async throws {
        let index = ResultIndex(
            layout: layout,
            remote: AttemptObjects.isLocal(objects, layout: layout)
                ? nil : AttemptObjects(objects: objects, layout: layout))
        guard await index.lookup(key, tenant: tenant) == job else { return }
        await index.forget(key, tenant: tenant)
    }
}
