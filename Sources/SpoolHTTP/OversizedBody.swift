import Foundation
import Hummingbird
import NIOCore

/// What happens to the rest of a request body once the request is refused (over the size limit, over a quota).
/// Many clients send the whole body before they read anything (Python's urllib does); a server that stops reading
/// leaves them blocked on a full socket until their own timeout. So the rest is read and thrown away for a short
/// while — a lingering close, as NGINX does — and the refusal then closes the connection.
struct OversizedBody {
    /// How long, and how many bytes, a refused body is still read for.
    static let lingerTime: Duration = .seconds(5)
    static let lingerBytes: Int64 = 512 << 20

    let refusal: ProblemError
    private let start = ContinuousClock.now
    private var discarded: Int64 = 0

    init(refusal: ProblemError) {
        var refusal = refusal
        refusal.headers[.connection] = "close"
        self.refusal = refusal
    }

    /// Counts a discarded buffer; false once the lingering budget is spent and the connection should just close.
    mutating func keepsReading(after buffer: ByteBuffer) -> Bool {
        discarded += Int64(buffer.readableBytes)
        return discarded < Self.lingerBytes && ContinuousClock.now - start < Self.lingerTime
    }

    /// Reads the rest of a body that was refused before any of it was read (a declared length over a limit).
    static func refuse(_ body: RequestBody, with refusal: ProblemError) async -> ProblemError {
        var drain = OversizedBody(refusal: refusal)
        do {
            for try await buffer in body where !drain.keepsReading(after: buffer) { break }
        } catch {
            // The client went away: nothing left to drain.
        }
        return drain.refusal
    }
}
