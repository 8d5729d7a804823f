import Foundation
import RedisClient
import WireJSON

/// One job as it travels through the queues: the fields of a stream entry, the member of the
/// delayed set, the record of a dead letter. Its fields are described by ``JobField``.
struct JobEnvelope: Sendable, Equatable {
    var jobId: String
    var kind: SideEffectKind
    var payload: String
    var attempt: Int
    var enqueuedAtMs: Int64
    var errors: [String]

    /// Most errors kept per job, and most characters per error.
    static let maxErrors = 10
    static let maxErrorLength = 500

    /// The value of `field` as the stream holds it.
    func value(of field: JobField) -> String {
        switch field {
        case .jobId: jobId
        case .kind: kind.rawValue
        case .payload: payload
        case .attempt: String(attempt)
        case .enqueuedAt: String(enqueuedAtMs)
        case .errors: Self.encode(errors)
        }
    }

    /// The fields of an XADD, in stream order.
    var fields: [(field: String, value: String)] {
        JobField.allCases.map { ($0.rawValue, value(of: $0)) }
    }

    /// Parses a stream entry; `nil` when a required field is missing or malformed.
    init?(fields: [String: String]) {
        guard let jobId = fields[field: .jobId], !jobId.isEmpty,
            let kind = fields[field: .kind].flatMap(SideEffectKind.init(rawValue:)),
            let payload = fields[field: .payload],
            let attempt = fields[field: .attempt].flatMap(Int.init), attempt >= 1
        else { return nil }
        self.init(
            jobId: jobId,
            kind: kind,
            payload: payload,
            attempt: attempt,
            enqueuedAtMs: fields[field: .enqueuedAt].flatMap(Int64.init) ?? 0,
            errors: fields[field: .errors].map(Self.decode) ?? []
        )
    }

    init(jobId: String, kind: SideEffectKind, payload: String, attempt: Int, enqueuedAtMs: Int64, errors: [String] = []) {
        self.jobId = jobId
        self.kind = kind
        self.payload = payload
        self.attempt = attempt
        self.enqueuedAtMs = enqueuedAtMs
        self.errors = errors
    }

    /// The job for its next attempt, with `error` added to its history.
    func failed(with error: String, nextAttempt: Int) -> JobEnvelope {
        var next = self
        next.attempt = nextAttempt
        next.errors = Self.appending(error, attempt: attempt, to: errors)
        return next
    }

    /// The member of `queue:<name>:delayed`: a JSON object of strings that the delayed-job mover
    /// turns back into stream fields (its `enqueuedAt` is set when it moves).
    var delayedMember: String {
        JSON.object(JobField.allCases.filter { $0 != .enqueuedAt }.map { ($0.rawValue, .string(value(of: $0))) }).serialized
    }

    static func appending(_ error: String, attempt: Int, to errors: [String]) -> [String] {
        let trimmed = error.count > maxErrorLength ? String(error.prefix(maxErrorLength)) + "…" : error
        return Array((errors + ["attempt \(attempt): \(trimmed)"]).suffix(maxErrors))
    }

    static func encode(_ errors: [String]) -> String {
        JSON.array(errors.map(JSON.string)).serialized
    }

    static func decode(_ text: String) -> [String] {
        JSON.parse(text)?.arrayValue?.compactMap(\.stringValue) ?? []
    }
}

/// Unix time in milliseconds.
enum UnixTime {
    static func nowMs() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded())
    }
}
