import Synchronization

/// The last few lines a process printed, kept while it runs and read once it ends.
final class LineTail: Sendable {
    private let limit: Int
    private let lines = Mutex<[String]>([])

    init(limit: Int) {
        self.limit = limit
    }

    func append(_ line: String) {
        guard !line.allSatisfy(\.isWhitespace) else { return }
        lines.withLock { lines in
            lines.append(line)
            if lines.count > limit { lines.removeFirst(lines.count - limit) }
        }
    }

    var snapshot: [String] { lines.withLock { $0 } }
}
