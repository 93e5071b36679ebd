import GRDB
import SpoolCore

/// Turns whatever GRDB or SQLite threw into the store's vocabulary, so callers handle one error type.
enum SQLiteErrors {
    static func storeError(_ error: any Error) -> any Error {
        switch error {
        case let error as StoreError:
            return error
        case let error as PoolStoreError:
            return error
        case let error as TenantStoreError:
            return error
        case let error as CancellationError:
            return error
        case let error as DatabaseError:
            switch error.resultCode {
            case .SQLITE_CORRUPT, .SQLITE_NOTADB, .SQLITE_FORMAT:
                return StoreError.corrupt(error.description)
            default:
                // Busy past the timeout, I/O errors, a full disk, a closed pool: all mean "try again later" to
                // a caller, and the message says which.
                return StoreError.unavailable(error.description)
            }
        default:
            return StoreError.unavailable(String(describing: error))
        }
    }
}
