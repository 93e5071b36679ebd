import Foundation
import SpoolCore

/// The answer to `POST /v1/uploads`.
public struct UploadView: Codable, Sendable, Equatable {
    public var id: UploadID
    /// Pass this as a job's `input`.
    public var uri: String
    public var sizeBytes: Int64

    public init(id: UploadID, sizeBytes: Int64) {
        self.id = id
        self.uri = "upload:" + id.rawValue
        self.sizeBytes = sizeBytes
    }

    enum CodingKeys: String, CodingKey {
        case id, uri
        case sizeBytes = "size_bytes"
    }
}
