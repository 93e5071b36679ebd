import Foundation
import Hummingbird
import SpoolAPIModels
import SpoolCore
import SpoolStorage

extension SpoolAPI {
    /// Streams the request body to disk under a temporary name and renames it when complete, so a half-sent file
    /// is never used as an input.
    func addUploadRoutes(to router: Router<SpoolRequestContext>) {
        router.post("/v1/uploads") { request, context -> Response in
            let id = UploadID.generate()
            let layout = configuration.layout
            let owner = context.caller.owner
            let limit = configuration.inputPolicy.maxUploadBytes
            let day = TenantUsage.day(of: Date())
            let limits = context.caller.limits
            let usedToday =
                limits?.uploadBytesPerDay == nil ? TenantUsage() : try await store.usage(tenant: owner, day: day)
            if let limits, let declared = request.headers[.contentLength].flatMap({ Int64($0) }),
                let violation = QuotaCheck.upload(limits: limits, usage: usedToday, adding: declared)
            {
                throw await OversizedBody.refuse(request.body, with: Problem.quota(violation, retryAfterSeconds: 0))
            }
            try storage.admit()
            if configuration.uploadsAreRemote {
                let total = try await streamToObjectStorage(
                    request.body, key: ObjectKey(checked: layout.key(of: layout.upload(id, tenant: owner))),
                    limit: limit, limits: limits, usedToday: usedToday)
                if owner != .default {
                    try await store.addUsage(TenantUsage(uploadBytes: total), tenant: owner, day: day)
                }
                return try JSONCoding.response(
                    UploadView(id: id, sizeBytes: total), status: .created,
                    headers: [.location: "/v1/uploads/\(id.rawValue)"])
            }
            let directory = layout.uploads(for: owner)
            let final = layout.upload(id, tenant: owner)
            let partial = final + ".part"
            let handle = try storage.perform("create an upload under \(directory)") { () throws -> FileHandle in
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                guard FileManager.default.createFile(atPath: partial, contents: nil),
                    let handle = FileHandle(forWritingAtPath: partial)
                else {
                    throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: partial])
                }
                return handle
            }
            var total: Int64 = 0
            do {
                defer { try? handle.close() }
                var drain: OversizedBody?
                for try await buffer in request.body {
                    if drain != nil {
                        if !drain!.keepsReading(after: buffer) { break }
                        continue
                    }
                    total += Int64(buffer.readableBytes)
                    if let refusal = refusal(total: total, limit: limit, limits: limits, usedToday: usedToday) {
                        drain = OversizedBody(refusal: refusal)
                        continue
                    }
                    try storage.perform("write an upload") { try handle.write(contentsOf: buffer.readableBytesView) }
                }
                if let drain { throw drain.refusal }
                guard total > 0 else {
                    throw Problem.badRequest(SpecError(field: "body", rule: "empty", message: "the upload is empty"))
                }
            } catch {
                try? FileManager.default.removeItem(atPath: partial)
                storage.abandoned()
                throw error
            }
            try storage.perform("publish an upload") {
                try FileManager.default.moveItem(atPath: partial, toPath: final)
            }
            storage.succeeded()
            if owner != .default {
                try await store.addUsage(TenantUsage(uploadBytes: total), tenant: owner, day: day)
            }
            return try JSONCoding.response(
                UploadView(id: id, sizeBytes: total), status: .created,
                headers: [.location: "/v1/uploads/\(id.rawValue)"])
        }
    }

    /// Why an upload that has reached `total` bytes is refused: over the size limit, or over the tenant's daily bytes.
    func refusal(total: Int64, limit: Int64, limits: TenantLimits?, usedToday: TenantUsage) -> ProblemError? {
        guard total <= limit else { return Problem.tooLarge("uploads are limited to \(limit) bytes") }
        if let limits, let violation = QuotaCheck.upload(limits: limits, usage: usedToday, adding: total) {
            return Problem.quota(violation, retryAfterSeconds: 0)
        }
        return nil
    }

    /// An upload into a bucket: a streamed (multipart) upload that becomes visible only once the whole body arrived;
    /// a client that disconnects or goes over a limit gets it aborted, so no part is left behind. The gateway keeps
    /// nothing on disk.
    func streamToObjectStorage(
        _ body: RequestBody, key: ObjectKey, limit: Int64, limits: TenantLimits?, usedToday: TenantUsage
    ) async throws -> Int64 {
        let objects = configuration.objects
        let upload = try await storage.perform("start an upload in \(objects.name)") {
            try await objects.beginUpload(key, contentType: nil)
        }
        var total: Int64 = 0
        do {
            var drain: OversizedBody?
            for try await buffer in body {
                if drain != nil {
                    if !drain!.keepsReading(after: buffer) { break }
                    continue
                }
                total += Int64(buffer.readableBytes)
                if let refusal = refusal(total: total, limit: limit, limits: limits, usedToday: usedToday) {
                    drain = OversizedBody(refusal: refusal)
                    continue
                }
                try await storage.perform("write an upload") { try await upload.write(buffer) }
            }
            if let drain { throw drain.refusal }
            guard total > 0 else {
                throw Problem.badRequest(SpecError(field: "body", rule: "empty", message: "the upload is empty"))
            }
            _ = try await storage.perform("complete an upload") { try await upload.complete() }
        } catch {
            await upload.abort()
            storage.abandoned()
            throw error
        }
        storage.succeeded()
        return total
    }
}
