import WireJSON

/// What a client may send on `/ws` (docs/design.md §5).
enum ClientFrame: Equatable, Sendable {
    case subscribe(Room)
    case unsubscribe(Room)
    case ping

    /// Why a frame was refused with `bad_request`.
    struct Problem: Error, Equatable {
        let message: String
    }

    /// Parses one text frame. Never throws anything but ``Problem``: a malformed frame is the
    /// client's mistake, answered with `bad_request`, and the connection stays open.
    static func parse(_ text: String) throws(Problem) -> ClientFrame {
        guard let object = JSON.parse(text), case .object = object else {
            throw Problem(message: "frame is not a JSON object")
        }
        guard let op = object["op"]?.stringValue else { throw Problem(message: "op is required and must be a string") }
        switch op {
        case "ping":
            return .ping
        case "subscribe", "unsubscribe":
            guard let name = object["room"]?.stringValue else { throw Problem(message: "room is required and must be a string") }
            guard let room = Room(name) else { throw Problem(message: "room must be request:<id> or operators") }
            return op == "subscribe" ? .subscribe(room) : .unsubscribe(room)
        default:
            throw Problem(message: "op must be subscribe, unsubscribe or ping")
        }
    }
}

/// What the server sends besides events (those are ``RealtimeEvent/frame(room:)``).
enum ServerFrame {
    enum ErrorCode: String {
        case forbidden
        case badRequest = "bad_request"
        /// A dependency (PostgreSQL) failed while checking a subscription; retry later.
        case unavailable
    }

    static func subscribed(_ room: Room, lastSeq: Int) -> String {
        JSON.object([("type", "subscribed"), ("room", .string(room.description)), ("lastSeq", .int(lastSeq))]).serialized
    }

    static func unsubscribed(_ room: Room) -> String {
        JSON.object([("type", "unsubscribed"), ("room", .string(room.description))]).serialized
    }

    static let pong = JSON.object([("type", "pong")]).serialized

    static func error(_ code: ErrorCode, _ message: String, room: Room? = nil) -> String {
        var fields: [(String, JSON)] = [("type", "error"), ("code", .string(code.rawValue)), ("message", .string(message))]
        if let room { fields.append(("room", .string(room.description))) }
        return JSON.object(fields).serialized
    }
}
