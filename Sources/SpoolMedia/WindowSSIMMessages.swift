import Foundation

extension WindowSSIM {
    /// One measurement asked of a measuring child (`spool measure-ssim --serve`): one JSON object on one line of its
    /// standard input.
    public struct Request: Codable, Equatable, Sendable {
        public var output: String
        public var reference: String
        public var width: Int
        public var height: Int
        /// Seconds of the output compared, from its first frame.
        public var window: Double

        public init(output: String, reference: String, width: Int, height: Int, window: Double) {
            self.output = output
            self.reference = reference
            self.width = width
            self.height = height
            self.window = window
        }
    }

    /// A measuring child's answer to one request: one JSON object on one line of its standard output, either the
    /// value (`{"ssim":0.99}`) or why it was not measured (`{"refusal":"unsupported","message":"..."}`).
    public struct Reply: Codable, Equatable, Sendable {
        public var ssim: Double?
        public var refusal: String?
        public var message: String?

        public init(_ outcome: Result<Double, Refusal>) {
            switch outcome {
            case .success(let value): ssim = value
            case .failure(let refusal):
                self.refusal =
                    switch refusal {
                    case .unavailable: "unavailable"
                    case .unsupported: "unsupported"
                    case .failed: "failed"
                    }
                message = refusal.message
            }
        }

        /// The value, or the refusal; a reply that is neither (another program's line) is a failure.
        public var outcome: Result<Double, Refusal> {
            if let ssim, ssim.isFinite { return .success(ssim) }
            let message = message ?? "the measuring child answered without a value"
            switch refusal {
            case "unavailable": return .failure(.unavailable(message))
            case "unsupported": return .failure(.unsupported(message))
            default: return .failure(.failed(message))
            }
        }
    }

    /// A measuring child's whole turn: the reply line to one request line. A line that is not a request is answered
    /// `failed`, so that the worker falls back to ffmpeg instead of waiting.
    public static func answer(requestLine line: String) -> String {
        let reply: Reply
        if let request = try? JSONDecoder().decode(Request.self, from: Data(line.utf8)) {
            do throws(Refusal) {
                reply = Reply(
                    .success(
                        try measure(
                            output: request.output, reference: request.reference, width: request.width,
                            height: request.height, window: request.window)))
            } catch {
                reply = Reply(.failure(error))
            }
        } else {
            reply = Reply(.failure(.failed("not a measurement request: \(line.prefix(200))")))
        }
        return encodedLine(reply)
    }

    /// One JSON object without line breaks (JSONEncoder escapes those inside strings).
    static func encodedLine(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
