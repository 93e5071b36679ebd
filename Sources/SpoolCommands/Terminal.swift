import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Where the CLI writes: results to stdout, diagnostics to stderr, progress bars only to a terminal.
enum Terminal {
    static var isInteractive: Bool { isInteractive(STDOUT_FILENO) }

    /// Whether stderr is a terminal: progress drawn there leaves stdout to the report, even when it is a file.
    static var isInteractiveError: Bool { isInteractive(STDERR_FILENO) }

    private static func isInteractive(_ descriptor: Int32) -> Bool {
        isatty(descriptor) == 1 && ProcessInfo.processInfo.environment["TERM"] != "dumb"
    }

    /// Back to the start of the line, erasing it: what a bar redrawn in place writes before each frame.
    static let clearLine = "\r\u{1B}[2K"

    static func error(_ message: String) {
        FileHandle.standardError.write(Data(("spool: " + message + "\n").utf8))
    }

    /// A remark for the person, on stderr, so stdout stays what a script captures.
    static func note(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }

    /// Rewrites the current line (TTY only).
    static func overwrite(_ line: String) {
        FileHandle.standardOutput.write(Data((clearLine + line).utf8))
    }

    static func printJSON(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    /// Left-aligned columns for human tables.
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in
            all.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0
        }
        return all.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
