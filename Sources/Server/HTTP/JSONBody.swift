import Foundation
import Hummingbird
import NIOCore
import WireJSON

/// A request body read under the size limit and parsed as a JSON object.
/// Over the limit: 413. Not JSON: 400. Not an object: 422. Field checks collect 422 reasons.
struct JSONBody {
    let fields: [String: JSON]

    static func read(_ request: Request, limit: Int) async throws -> JSONBody {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw APIError.payloadTooLarge
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw APIError.payloadTooLarge
        }
        guard buffer.readableBytes > 0, let value = JSON.parse(Data(buffer.readableBytesView)) else { throw APIError.badRequest }
        guard let fields = value.objectValue else { throw APIError.validation([("body", "must be a JSON object")]) }
        if let path = nulPath(value, at: "") {
            throw APIError.validation([(path, "must not contain NUL characters")])
        }
        return JSONBody(fields: fields)
    }

    subscript(_ name: String) -> JSON? { fields[name] }

    /// The first field (dotted path, `body` for the top level) whose key or string value holds
    /// a NUL character: PostgreSQL's `text` and `jsonb` cannot store one, so it is refused here,
    /// once for every route, rather than failing a statement later.
    static func nulPath(_ value: JSON, at path: String) -> String? {
        switch value {
        case .string(let text):
            return text.unicodeScalars.contains("\u{0}") ? (path.isEmpty ? "body" : path) : nil
        case .object(let fields):
            for (key, child) in fields {
                if key.unicodeScalars.contains("\u{0}") { return path.isEmpty ? "body" : path }
                if let found = nulPath(child, at: path.isEmpty ? key : path + "." + key) { return found }
            }
            return nil
        case .array(let items):
            for (index, child) in items.enumerated() {
                if let found = nulPath(child, at: "\(path.isEmpty ? "body" : path)[\(index)]") { return found }
            }
            return nil
        default:
            return nil
        }
    }

    /// A string field; `nil` with a problem recorded when absent or of another JSON type.
    func string(_ name: String, problems: inout [(String, String)]) -> String? {
        switch fields[name] {
        case nil, .null?:
            problems.append((name, "is required"))
            return nil
        case .string(let text)?:
            return text
        default:
            problems.append((name, "must be a string"))
            return nil
        }
    }
}
