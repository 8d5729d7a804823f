/// Thrown by ``eventually(_:timeout:every:fileID:line:_:)`` when the condition did not hold in
/// time; its description says what was awaited, for how long, and where.
public struct ConditionTimedOut: Error, CustomStringConvertible {
    public let description: String
}

/// Polls `probe` every `interval` until it returns a value, and returns that value; throws
/// ``ConditionTimedOut`` once `timeout` has passed without one. The tests' one way to wait for
/// something to happen (never a fixed sleep).
@discardableResult
public func eventually<T>(
    _ what: @autoclosure () -> String,
    timeout: Duration = .seconds(10),
    every interval: Duration = .milliseconds(20),
    fileID: String = #fileID,
    line: Int = #line,
    _ probe: () async throws -> T?
) async throws -> T {
    let deadline = ContinuousClock.now + timeout
    while true {
        if let value = try await probe() { return value }
        guard ContinuousClock.now < deadline else {
            throw ConditionTimedOut(description: "timed out after \(timeout) waiting for \(what()) (\(fileID):\(line))")
        }
        try await Task.sleep(for: interval)
    }
}

/// Polls `condition` until it holds; throws ``ConditionTimedOut`` once `timeout` has passed.
public func eventually(
    _ what: @autoclosure () -> String,
    timeout: Duration = .seconds(10),
    every interval: Duration = .milliseconds(20),
    fileID: String = #fileID,
    line: Int = #line,
    _ condition: () async throws -> Bool
) async throws {
    try await eventually(what(), timeout: timeout, every: interval, fileID: fileID, line: line) { try await condition() ? true : nil }
}
