import Foundation
import Hummingbird
import SpoolCore

extension SpoolAPI {
    /// Streams the request body to disk under a temporary name and renames it when complete, so a half-sent file
    /// is never used as an input.
    func addUploadRoutes(to router: Router<BasicRequestContext>) {
        router.post("/v1/uploads") { request, _ -> Response in
            let id = UploadID.generate()
            let layout = configuration.layout
            let limit = configuration.inputPolicy.maxUploadBytes
            try FileManager.default.createDirectory(atPath: layout.uploads, withIntermediateDirectories: true)
            let partial = layout.partialUpload(id)
            guard FileManager.default.createFile(atPath: partial, contents: nil),
                let handle = FileHandle(forWritingAtPath: partial)
            else {
                throw Problem.unavailable("cannot write uploads under \(layout.uploads)")
            }
            var total: Int64 = 0
            do {
                defer { try? handle.close() }
                for try await buffer in request.body {
                    total += Int64(buffer.readableBytes)
                    guard total <= limit else { throw Problem.tooLarge("uploads are limited to \(limit) bytes") }
                    try handle.write(contentsOf: buffer.readableBytesView)
                }
                guard total > 0 else {
                    throw Problem.badRequest(SpecError(field: "body", rule: "empty", message: "the upload is empty"))
                }
            } catch {
                try? FileManager.default.removeItem(atPath: partial)
                throw error
            }
            try FileManager.default.moveItem(atPath: partial, toPath: layout.upload(id))
            return try JSONCoding.response(
                UploadView(id: id, sizeBytes: total), status: .created,
                headers: [.location: "/v1/uploads/\(id.rawValue)"])
        }
    }
}
