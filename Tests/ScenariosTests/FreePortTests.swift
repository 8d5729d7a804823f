import Testing

@testable import Scenarios

@Suite struct FreePortTests {
    @Test func aPortWithAListenerIsNotFreeAndIsAgainOnceItCloses() async throws {
        // Any listener will do: the relay is one the lab already has.
        let listener = try await LatencyRelay.start(.init(targetPort: 9))
        let port = listener.port
        #expect(!loopbackPortIsFree(port))
        await listener.close()
        #expect(loopbackPortIsFree(port))
    }

    @Test func cellPortsAreBelowTheEphemeralRangeAndFree() throws {
        let ports = try Fixtures.cellPorts()
        for port in [ports.server, ports.server + 3, ports.relay, ports.relay + 1, ports.pooler, ports.provider] {
            #expect(port < 32_768)
            #expect(loopbackPortIsFree(port))
        }
    }
}
