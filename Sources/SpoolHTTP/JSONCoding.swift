import Foundation
import Hummingbird
import SortedJSON
import SpoolAPIModels
import SpoolCore

/// The API's JSON conventions: snake_case keys (declared on the types), ISO 8601 dates, sorted keys for stable output.
enum JSONCoding {
    static var encoder: SortedJSONEncoder { APIJSON.sortedEncoder }
    static var decoder: JSONDecoder { APIJSON.decoder }

    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws
        -> Response
    {
        var headers = headers
        headers[.contentType] = "application/json"
        return Response(
            status: status, headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }

    /// Decodes a request body, turning decoding failures into problems that name the field.
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, limit: Int) async throws -> T {
        var buffer = ByteBuffer()
        var drain: OversizedBody?
        for try await part in request.body {
            if drain != nil {
                if !drain!.keepsReading(after: part) { break }
                continue
            }
            guard buffer.readableBytes + part.readableBytes <= limit else {
                drain = OversizedBody(refusal: Problem.tooLarge("the JSON body is over \(limit) bytes"))
                continue
            }
            var part = part
            buffer.writeBuffer(&part)
        }
        if let drain { throw drain.refusal }
        let data = Data(buffer.readableBytesView)
        do {
            return try decoder.decode(T.self, from: data)
        } catch let error as DecodingError {
            throw Problem.badRequest(numberOutOfRange(in: data) ?? describe(error))
        }
    }

    /// The decoder calls a number too large for its field "not valid JSON", with no field; the body may well be
    /// valid JSON. This finds the first integer beyond 64 bits, or a fraction, and names its field.
    static func numberOutOfRange(in data: Data) -> SpecError? {
        guard let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else {
            return nil
        }
        func walk(_ value: Any, _ path: String) -> SpecError? {
            if let dictionary = value as? [String: Any] {
                for key in dictionary.keys.sorted() {
                    if let found = walk(dictionary[key]!, path.isEmpty ? key : path + "." + key) { return found }
                }
            } else if let array = value as? [Any] {
                for (index, element) in array.enumerated() {
                    if let found = walk(element, path + "[\(index)]") { return found }
                }
            } else if let number = value as? NSDecimalNumber, !(number is Bool) {
                let magnitude = abs(number.doubleValue)
                if magnitude >= 9.2e18 {
                    return SpecError(
                        field: path.isEmpty ? "body" : path, rule: "range",
                        message: "\(path.isEmpty ? "the value" : path) is out of range (\(number.stringValue))")
                }
            }
            return nil
        }
        return walk(object, "")
    }

    static func describe(_ error: DecodingError) -> SpecError {
        func path(_ codingPath: [any CodingKey]) -> String {
            var text = ""
            for key in codingPath {
                if let index = key.intValue {
                    text += "[\(index)]"
                } else {
                    text += (text.isEmpty ? "" : ".") + key.stringValue
                }
            }
            return text.isEmpty ? "body" : text
        }
        switch error {
        case .keyNotFound(let key, let context):
            return SpecError(
                field: path(context.codingPath + [key]), rule: "required", message: "'\(key.stringValue)' is required")
        case .typeMismatch(let type, let context):
            return SpecError(field: path(context.codingPath), rule: "type", message: "expected \(type)")
        case .valueNotFound(let type, let context):
            return SpecError(field: path(context.codingPath), rule: "required", message: "expected \(type), got null")
        case .dataCorrupted(let context):
            let detail = context.debugDescription
            return SpecError(field: path(context.codingPath), rule: "invalid", message: detail)
        @unknown default:
            return SpecError(field: "body", rule: "invalid", message: "the body is not valid JSON for this endpoint")
        }
    }
}
