#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A loopback TCP port nobody listens on right now: the kernel's choice for port 0.
///
/// The kernel picks it from its ephemeral range, where outgoing connections take their local
/// ports too: fine for one listener started at once, not for a block of ports chosen ahead
/// (see ``loopbackPortIsFree(_:)``).
public func freeLoopbackPort() throws -> Int {
    try withBoundLoopbackSocket(port: 0)
}

/// Whether a listener could bind `127.0.0.1:port` right now. A port in the kernel's ephemeral
/// range (`/proc/sys/net/ipv4/ip_local_port_range`, 32768–60999 by default) can be taken at
/// any moment by an outgoing connection's local end, so fixed cell ports belong below it.
public func loopbackPortIsFree(_ port: Int) -> Bool {
    (try? withBoundLoopbackSocket(port: port)) != nil
}

/// Binds a TCP socket to `127.0.0.1:port`, closes it, and returns the port it was bound to.
/// With `SO_REUSEADDR`, as the lab's listeners (NIO's default) bind: connections of a server
/// that just stopped, lingering in TIME_WAIT, don't make its port look taken; a listener does.
private func withBoundLoopbackSocket(port: Int) throws -> Int {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { throw ScenarioError("socket(): \(String(cString: strerror(errno)))") }
    defer { close(descriptor) }
    var reuse: Int32 = 1
    guard setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
        throw ScenarioError("setsockopt(SO_REUSEADDR): \(String(cString: strerror(errno)))")
    }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
    }
    guard bound == 0 else { throw ScenarioError("bind(127.0.0.1:\(port)): \(String(cString: strerror(errno)))") }
    let named = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
    }
    guard named == 0 else { throw ScenarioError("getsockname(): \(String(cString: strerror(errno)))") }
    return Int(UInt16(bigEndian: address.sin_port))
}
