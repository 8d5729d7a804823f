/// The fields of a job, in stream order — the one description that ``JobEnvelope``, the Lua
/// scripts in ``QueueScripts`` and the records of completed and dead jobs are built from.
///
/// `jobId` is the idempotency key (`<requestId>:<seq>:<kind>` or `otp:<uuid>:sms`), `kind` the
/// side effect (sms, email, webhook, events), `payload` the provider body as JSON text (without
/// the key), `attempt` the 1-based number of this run, `enqueuedAt` the Unix ms of the XADD and
/// `errors` a JSON array of the earlier attempts' errors.
enum JobField: String, CaseIterable, Sendable {
    case jobId, kind, payload, attempt, enqueuedAt, errors

    /// What a record without this field is read as.
    var fallback: String {
        switch self {
        case .jobId, .kind: ""
        case .payload: "{}"
        case .attempt: "1"
        case .enqueuedAt: "0"
        case .errors: "[]"
        }
    }

    /// Lua: the XADD field/value list of the job whose values start at `ARGV[start]`, one per
    /// field in stream order.
    static func luaFromArguments(start: String) -> String {
        allCases.enumerated().map { offset, field in "'\(field.rawValue)', ARGV[\(start) + \(offset)]" }
            .joined(separator: ", ")
    }

    /// Lua: the XADD field/value list that restores a job from the Lua table `record` (a decoded
    /// delayed member or a dead letter): `enqueuedAt` becomes `now`, `attempt` becomes `attempt`
    /// when given, and a missing field its ``fallback``.
    static func luaRestoring(_ record: String, now: String, attempt: String? = nil) -> String {
        allCases.map { field in
            let value: String
            switch (field, attempt) {
            case (.enqueuedAt, _): value = now
            case (.attempt, let attempt?): value = attempt
            default: value = "tostring(\(record).\(field.rawValue) or '\(field.fallback)')"
            }
            return "'\(field.rawValue)', \(value)"
        }
        .joined(separator: ", ")
    }
}

extension Dictionary where Key == String, Value == String {
    /// A job field of a stream entry or record.
    subscript(field field: JobField) -> String? {
        self[field.rawValue]
    }
}
