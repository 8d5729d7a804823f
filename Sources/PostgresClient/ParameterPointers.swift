#if canImport(Glibc)
import Glibc
#endif

/// Calls `body` with `parameters` as the C array libpq takes (`NULL` for SQL NULL), the
/// strings copied for the call and freed after it.
func withParameterPointers<T>(_ parameters: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> T) -> T {
    let cStrings = parameters.map { $0.flatMap { strdup($0) } }
    defer { cStrings.forEach { free($0) } }
    let pointers: [UnsafePointer<CChar>?] = cStrings.map { $0.map { UnsafePointer($0) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress) }
}
