import Foundation

/// The OpenAPI document (`openapi.yaml` at the repository root links to the bundled copy).
enum OpenAPIDocument {
    static let yaml: String = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"),
            let text = try? String(contentsOf: url, encoding: .utf8)
        else { return "openapi: 3.0.3\ninfo: {title: Exchange Lab, version: unavailable}\npaths: {}\n" }
        return text
    }()
}
