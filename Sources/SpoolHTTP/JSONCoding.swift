import Foundation
import Hummingbird
import SpoolAPIModels
import SpoolCore

/// The API's JSON conventions: snake_case keys (declared on the types), ISO 8601 dates, sorted keys for stable output.
enum JSONCoding {
    static var encoder: JSONEncoder { APIJSON.encoder }
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
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: limit)
        } catch {
            throw Problem.tooLarge("the JSON body is over \(limit) bytes")
        }
        do {
            return try decoder.decode(T.self, from: Data(buffer.readableBytesView))
        } catch let error as DecodingError {
            throw Problem.badRequest(describe(error))
        }
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
