import Foundation

extension JSON {
    /// Parses JSON text (e.g. a job's `payload`) into a value; `nil` when it isn't JSON.
    /// Object keys come out sorted, which is as good as any order for a provider body.
    static func parse(_ text: String) -> JSON? {
        guard let data = text.data(using: .utf8),
              let value = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        else { return nil }
        return JSON(foundation: value)
    }

    private init?(foundation value: Any) {
        switch value {
        case let text as String:
            self = .string(text)
        case let number as NSNumber:
            let type = String(cString: number.objCType)
            if type == "c" {
                self = .bool(number.boolValue)
            } else if "sSiIlLqQ".contains(type) {
                self = .int(number.intValue)
            } else {
                self = .double(number.doubleValue)
            }
        case let flag as Bool:
            self = .bool(flag)
        case let integer as Int:
            self = .int(integer)
        case let number as Double:
            self = .double(number)
        case is NSNull:
            self = .null
        case let array as [Any]:
            var items: [JSON] = []
            for element in array {
                guard let item = JSON(foundation: element) else { return nil }
                items.append(item)
            }
            self = .array(items)
        case let object as [String: Any]:
            var fields: [(String, JSON)] = []
            for key in object.keys.sorted() {
                guard let element = object[key], let item = JSON(foundation: element) else { return nil }
                fields.append((key, item))
            }
            self = .object(fields)
        default:
            return nil
        }
    }
}
