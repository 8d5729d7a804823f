import Foundation
import Hummingbird
import NIOCore

/// A request body read under the size limit and parsed as a JSON object.
/// Over the limit: 413. Not JSON, or not an object: 400. Field checks collect 422 reasons.
struct JSONBody {
    let fields: [String: Any]

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
        guard buffer.readableBytes > 0 else { throw APIError.badRequest }
        let data = Data(buffer.readableBytesView)
        guard let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else {
            throw APIError.badRequest
        }
        guard let fields = object as? [String: Any] else {
            throw APIError.validation([("body", "must be a JSON object")])
        }
        if let path = nulPath(fields, at: "") {
            throw APIError.validation([(path, "must not contain NUL characters")])
        }
        return JSONBody(fields: fields)
    }

    /// The first field (dotted path, `body` for the top level) whose key or string value holds
    /// a NUL character: PostgreSQL's `text` and `jsonb` cannot store one, so it is refused here,
    /// once for every route, rather than failing a statement later.
    static func nulPath(_ value: Any, at path: String) -> String? {
        switch value {
        case let text as String:
            return text.unicodeScalars.contains("\u{0}") ? (path.isEmpty ? "body" : path) : nil
        case let object as [String: Any]:
            for (key, child) in object {
                let childPath = path.isEmpty ? key : path + "." + key
                if key.unicodeScalars.contains("\u{0}") { return path.isEmpty ? "body" : path }
                if let found = nulPath(child, at: childPath) { return found }
            }
            return nil
        case let array as [Any]:
            for (index, child) in array.enumerated() {
                if let found = nulPath(child, at: "\(path.isEmpty ? "body" : path)[\(index)]") { return found }
            }
            return nil
        default:
            return nil
        }
    }

    /// A string field; `nil` with a problem recorded when absent or of another JSON type.
    func string(_ name: String, problems: inout [(String, String)]) -> String? {
        guard let value = fields[name], !(value is NSNull) else {
            problems.append((name, "is required"))
            return nil
        }
        guard let text = value as? String else {
            problems.append((name, "must be a string"))
            return nil
        }
        return text
    }
}
