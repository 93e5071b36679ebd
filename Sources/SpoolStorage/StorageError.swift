/// Why a storage operation failed, saying what to do. Transient failures (`unavailable`) are the ones a caller may
/// retry and the storage breaker counts; the others are answers.
public enum StorageError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidKey(String)
    case notFound(key: String)
    /// The bucket (or the file backend's root) does not exist.
    case containerMissing(String)
    /// Credentials refused or missing permissions.
    case accessDenied(String)
    /// A byte range that the object does not hold.
    case rangeNotSatisfiable(key: String, size: Int64)
    /// The upload's bytes did not arrive as sent (checksum mismatch).
    case integrity(key: String)
    /// The backend could not be reached, or failed on its side; retrying later may succeed.
    case unavailable(String)

    public var isTransient: Bool { if case .unavailable = self { true } else { false } }

    public var description: String {
        switch self {
        case .invalidKey(let key): "\"\(key)\" is not a valid object key (relative, no empty, . or .. segment)"
        case .notFound(let key): "no object \(key)"
        case .containerMissing(let name):
            "the storage container \(name) does not exist: create the bucket (or directory) or fix --storage"
        case .accessDenied(let reason):
            "the storage refused the credentials: \(reason); check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY"
        case .rangeNotSatisfiable(let key, let size): "the range asked of \(key) is outside its \(size) bytes"
        case .integrity(let key): "the bytes of \(key) arrived damaged (checksum mismatch); the upload was not kept"
        case .unavailable(let reason): "the storage is unavailable: \(reason); retry later"
        }
    }
}
