import Logging

/// Grants the operator role to a phone (`exchange-server grant-operator PHONE`).
public typealias OperatorGranter = @Sendable (_ phone: String) async throws -> Void

/// What a scenario runs against, and the shared phases (sign-in, warm-up, measurement).
public struct ScenarioContext: Sendable {
    public var baseURL: String
    public var load: LoadSpec
    public var options: ScenarioOptions
    public var api: APIClient
    public var provider: ProviderClient
    public var grantOperator: OperatorGranter
    public var status: LiveStatus
    public var phones: PhoneBook
    public var logger: Logger
    /// Called when a measured phase starts (after sign-in and warm-up); may be called more than once.
    public var onMeasureStart: @Sendable () async -> Void = {}

    public init(
        baseURL: String,
        load: LoadSpec,
        options: ScenarioOptions,
        api: APIClient,
        provider: ProviderClient,
        grantOperator: @escaping OperatorGranter,
        status: LiveStatus = LiveStatus(),
        phones: PhoneBook = PhoneBook(),
        logger: Logger = Logger(label: "lab")
    ) {
        self.baseURL = baseURL
        self.load = load
        self.options = options
        self.api = api
        self.provider = provider
        self.grantOperator = grantOperator
        self.status = status
        self.phones = phones
        self.logger = logger
    }

    var signIn: SignIn { SignIn(api: api, provider: provider) }

    /// Signs in `count` fresh users.
    public func signInUsers(_ count: Int) async throws -> [Session] {
        status.begin("sign-in \(count) users", recorder: nil, operation: "", expected: .seconds(max(1, count / 10)))
        let phones = (0..<count).map { self.phones.phone("user", $0) }
        return try await signIn.signIn(phones: phones)
    }

    /// Grants the operator role to `count` fresh phones and signs them in.
    public func signInOperators(_ count: Int) async throws -> [Session] {
        status.begin("grant + sign-in \(count) operators", recorder: nil, operation: "", expected: .seconds(max(1, count)))
        let phones = (0..<count).map { self.phones.phone("operator", $0) }
        for phone in phones { try await grantOperator(phone) }
        let sessions = try await signIn.signIn(phones: phones)
        if let wrong = sessions.first(where: { $0.role != "operator" }) {
            throw ScenarioError("grant-operator did not take effect: signed in with role \(wrong.role)")
        }
        return sessions
    }

    /// Runs warm-up (discarded) then the measured phase of one open-loop load.
    ///
    /// `operation(index, scheduled, recorder)` must measure latency from `scheduled`.
    public func measure(
        rate: Double? = nil,
        seedOffset: UInt64 = 0,
        recorder: Recorder,
        primary: String,
        operation: @escaping @Sendable (_ index: Int, _ scheduled: ContinuousClock.Instant, _ recorder: Recorder) async -> Void
    ) async -> OpenLoopRunner.Outcome {
        let rate = rate ?? load.rate
        var warmupCount = 0
        if load.warmup > 0 {
            let scratch = Recorder()
            status.begin("warm-up", recorder: scratch, operation: primary, expected: .seconds(load.warmup))
            let runner = OpenLoopRunner(
                schedule: ArrivalSchedule(rate: rate, process: load.arrival, seed: load.seed &+ seedOffset &+ 1),
                duration: .milliseconds(Int64(load.warmup * 1000)),
                maxInFlight: load.maxInFlight
            )
            let outcome = await runner.run { index, scheduled in
                await operation(index, scheduled, scratch)
            }
            warmupCount = outcome.scheduled
        }
        await onMeasureStart()
        status.begin("measure", recorder: recorder, operation: primary, expected: .seconds(load.duration))
        let runner = OpenLoopRunner(
            schedule: ArrivalSchedule(rate: rate, process: load.arrival, seed: load.seed &+ seedOffset),
            duration: .milliseconds(Int64(load.duration * 1000)),
            maxInFlight: load.maxInFlight
        )
        let offset = warmupCount
        return await runner.run { index, scheduled in
            await operation(offset + index, scheduled, recorder)
        }
    }
}
