extension JSON {
    /// The value at a dotted path (`db.primary.poolSize`) inside nested objects.
    public subscript(path path: String) -> JSON? {
        var current: JSON? = self
        for key in path.split(separator: ".") {
            current = current?[String(key)]
        }
        return current
    }

    /// Sets a value at a dotted path, creating objects on the way.
    public mutating func set(path: String, to value: JSON) {
        self = Self.setting(self, keys: path.split(separator: ".").map(String.init)[...], value: value)
    }

    private static func setting(_ base: JSON, keys: ArraySlice<String>, value: JSON) -> JSON {
        guard let key = keys.first else { return value }
        var fields: [(String, JSON)] = []
        if case .object(let existing) = base { fields = existing }
        if let index = fields.lastIndex(where: { $0.0 == key }) {
            fields[index].1 = setting(fields[index].1, keys: keys.dropFirst(), value: value)
        } else {
            fields.append((key, setting(.null, keys: keys.dropFirst(), value: value)))
        }
        return .object(fields)
    }

    /// Deep merge: objects merge key by key, anything else is replaced by `other`.
    public func merged(with other: JSON) -> JSON {
        guard case .object(var mine) = self, case .object(let theirs) = other else { return other }
        for (key, value) in theirs {
            if let index = mine.lastIndex(where: { $0.0 == key }) {
                mine[index].1 = mine[index].1.merged(with: value)
            } else {
                mine.append((key, value))
            }
        }
        return .object(mine)
    }
}
