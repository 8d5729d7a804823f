import Foundation
import Testing

@testable import Server

/// A provider that refuses connections fails the call with the refusal, not with the call's
/// deadline: AsyncHTTPClient would otherwise keep reconnecting until `provider.timeoutMs`.
@Suite struct ProviderClientTests {
    @Test func aRefusedConnectionFailsWithTheRefusalNotTheDeadline() async throws {
        // Port 9 (discard) on loopback: nothing listens, the kernel refuses at once.
        let client = ProviderClient(
            configuration: .init(url: "http://127.0.0.1:9", timeoutMs: 60_000),
            sealer: CodeSealer(secret: "test-secret-test-secret-test-secret")
        )
        defer { Task { await client.shutdown() } }
        let failure = await #expect(throws: ProviderClient.Failure.self) {
            try await client.send(.email, payload: ["to": "u1", "body": "hello"], idempotencyKey: "t:1:email")
        }
        let description = failure?.description ?? ""
        #expect(description.localizedCaseInsensitiveContains("refused"), "\(description)")
        #expect(!description.localizedCaseInsensitiveContains("deadline"), "\(description)")
        // Without this the client would retry connecting for up to the connect timeout.
        #expect(ProviderClient.httpConfiguration.connectionPool.retryConnectionEstablishment == false)
    }
}
