import Foundation
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

    @Test func aCellRefusesToStartOnAPortAnotherProcessListensOn() async throws {
        let listener = try await LatencyRelay.start(.init(targetPort: 9))
        let server = ServerInstance(binary: "/bin/true", configPath: "/dev/null", port: listener.port, logDirectory: NSTemporaryDirectory())
        await #expect {
            _ = try await server.start(logName: "never.log")
        } throws: { error in
            "\(error)".contains("127.0.0.1:\(listener.port) is taken by another process")
        }
        await #expect {
            _ = try await startProvider(executable: "/bin/true", port: listener.port, logPath: NSTemporaryDirectory() + "/never.log")
        } throws: { error in
            "\(error)".contains("cell's provider simulator cannot listen there")
        }
        await listener.close()
    }

    @Test func cellPortsAreBelowTheEphemeralRangeAndFree() throws {
        let ports = try Fixtures.cellPorts()
        for port in [ports.server, ports.server + 3, ports.relay, ports.relay + 1, ports.pooler, ports.provider] {
            #expect(port < 32_768)
            #expect(loopbackPortIsFree(port))
        }
    }
}
