import Synchronization

/// SHA1 of each script text, as returned by `SCRIPT LOAD`. A script's SHA1 depends only on
/// its text, so one process-wide cache serves every client and connection.
enum ScriptCache {
    static let shas = Mutex<[String: String]>([:])
}

/// Lua scripts.
extension RedisCommandExecutor {
    /// `EVAL script numkeys key … arg …`: sends the whole script every time.
    @discardableResult
    public func eval(_ script: String, keys: [String] = [], args: [String] = []) async throws -> RedisValue {
        try await send(["EVAL", script, String(keys.count)] + keys + args)
    }

    /// `EVALSHA` with the SHA1 of `script`: loads the script once per process (`SCRIPT LOAD`),
    /// and again whenever Redis answers `NOSCRIPT` (after a restart or `SCRIPT FLUSH`).
    @discardableResult
    public func evalSHA(_ script: String, keys: [String] = [], args: [String] = []) async throws -> RedisValue {
        let cached = ScriptCache.shas.withLock { $0[script] }
        let sha: String
        if let cached {
            sha = cached
        } else {
            sha = try await scriptLoad(script)
        }
        do {
            return try await send(["EVALSHA", sha, String(keys.count)] + keys + args)
        } catch let error as RedisError where error.replyPrefix == "NOSCRIPT" {
            let reloaded = try await scriptLoad(script)
            return try await send(["EVALSHA", reloaded, String(keys.count)] + keys + args)
        }
    }

    /// `SCRIPT LOAD script`; returns the SHA1 and caches it for ``evalSHA(_:keys:args:)``.
    @discardableResult
    public func scriptLoad(_ script: String) async throws -> String {
        let sha = try await send(["SCRIPT", "LOAD", script]).text(for: "SCRIPT LOAD")
        ScriptCache.shas.withLock { $0[script] = sha }
        return sha
    }
}
