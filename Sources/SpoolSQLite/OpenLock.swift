import Foundation
import SpoolCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An exclusive `flock` on a file beside the database, held while a store opens and migrates it.
///
/// Processes started together on a new data directory would otherwise race twice: switching a fresh file to WAL
/// needs an exclusive lock that SQLite reports as busy at once instead of waiting for, and GRDB's migrator checks
/// which migrations ran before taking the write lock, so the slower process would re-run the first one and fail.
/// Holding this lock makes opens take turns. Running stores do not hold it.
enum OpenLock {
    static func withLock<T>(beside databasePath: String, _ body: () throws -> T) throws -> T {
        let lockPath = databasePath + ".open-lock"
        let descriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw StoreError.unavailable("cannot open \(lockPath): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else {
                throw StoreError.unavailable("cannot lock \(lockPath): \(String(cString: strerror(errno)))")
            }
        }
        defer { flock(descriptor, LOCK_UN) }
        return try body()
    }
}
