import ServiceLifecycle
public enum QueueSystem {
    static func backgroundServices(_ services: ExchangeServices) -> [any Service] { [] }
}
