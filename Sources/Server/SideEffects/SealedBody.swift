import WireJSON

/// A provider body whose `body` travels sealed (see ``CodeSealer``) until the call is made.
enum SealedBody {
    static let field = "sealedBody"

    struct Unreadable: Error, CustomStringConvertible {
        var description: String { "the sealed SMS text cannot be opened with this process's auth.secret" }
    }

    /// `payload` with `sealedBody` opened into `body`; unchanged when nothing is sealed.
    static func reveal(_ payload: JSON, with sealer: CodeSealer) throws -> JSON {
        guard case .object(let fields) = payload, let sealed = payload[field] else { return payload }
        guard let text = sealed.stringValue.flatMap(sealer.open) else { throw Unreadable() }
        return .object(fields.map { $0.0 == field ? ("body", .string(text)) : $0 })
    }
}
