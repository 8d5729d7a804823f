import Foundation
import Testing

@testable import Scenarios

@Suite struct FreePortTests {
    @Test func aPortWithAListenerIsNotFreeAndIsAgainOnceItCloses() throws {
        let port = try freeLoopbackPort()
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(listener >= 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(bound == 0 && listen(listener, 1) == 0)
        #expect(!loopbackPortIsFree(port))
        close(listener)
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
