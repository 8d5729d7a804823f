/// What `build_info` reports.
public enum BuildInfo {
    /// The server's version; bump with releases.
    public static let version = "0.4.0"

    /// The Swift compiler this binary was built with (major.minor).
    public static let swift: String = {
        #if compiler(>=6.3)
        return "6.3"
        #elseif compiler(>=6.2)
        return "6.2"
        #elseif compiler(>=6.1)
        return "6.1"
        #else
        return "6.0"
        #endif
    }()
}
