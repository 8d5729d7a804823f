import ArgumentParser
import Scenarios

/// `scenarios relay`: a latency-injecting TCP relay, until SIGINT/SIGTERM.
struct RelayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relay",
        abstract: "TCP relay that delays each direction's bytes (network distance on loopback).",
        discussion: """
            Every connection to --listen is paired with one to --target; bytes in each direction are held \
            --delay-ms (plus a uniform 0…--jitter-ms) before they are passed on, in order. A round trip \
            through the relay costs at least 2 × --delay-ms more. Example: \
            scenarios relay --listen 127.0.0.1:55442 --target 127.0.0.1:55432 --delay-ms 0.5
            """
    )

    @Option(help: "host:port to listen on (port 0 picks a free one, printed at start).")
    var listen = "127.0.0.1:0"

    @Option(help: "host:port to relay to.")
    var target: String

    @Option(help: "Delay added to each direction, milliseconds.")
    var delayMs = 0.0

    @Option(help: "Extra uniform 0…N milliseconds per chunk and direction.")
    var jitterMs = 0.0

    func validate() throws {
        _ = try Self.address(listen, option: "--listen")
        _ = try Self.address(target, option: "--target")
        guard delayMs >= 0, jitterMs >= 0 else { throw ValidationError("--delay-ms and --jitter-ms must be ≥ 0") }
    }

    func run() async throws {
        let (listenHost, listenPort) = try Self.address(listen, option: "--listen")
        let (targetHost, targetPort) = try Self.address(target, option: "--target")
        let relay = try await LatencyRelay.start(
            LatencyRelay.Configuration(
                listenHost: listenHost,
                listenPort: listenPort,
                targetHost: targetHost,
                targetPort: targetPort,
                delay: .microseconds(Int64(delayMs * 1000)),
                jitter: .microseconds(Int64(jitterMs * 1000))
            )
        )
        print("relay \(listenHost):\(relay.port) → \(target), +\(delayMs) ms each way (jitter \(jitterMs) ms)")
        await relay.waitUntilClosed()
    }

    static func address(_ text: String, option: String) throws -> (String, Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port),
            colon != text.startIndex
        else { throw ValidationError("\(option): expected host:port, got \(text)") }
        return (String(text[..<colon]), port)
    }
}
