import Logging
import Profiler

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
    /// Measures the same window on both sides and runs the steps (fixed or a capacity search).
    public var coordinator: MeasurementCoordinator?
    /// When set (runs with faults, or the `checkLoss` option), workloads note every OTP request
    /// the server accepted and every transition it committed, for the loss check.
    public var ledger: CommitLedger?
    /// The server instances of the cell (one: `baseURL` and `api`).
    public var router: InstanceRouter

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
        self.router = InstanceRouter(baseURLs: [baseURL], apis: [api])
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

    /// The usual cast of a flow workload: `users` (option, default sized from the load) and
    /// `operators` (option, default `operators`, at least `minimumOperators`).
    public func signInCast(operators: Int = 4, minimumOperators: Int = 1) async throws -> (users: [Session], operators: [Session]) {
        let users = try await signInUsers(options.int("users", default: load.usersNeeded()))
        let operators = try await signInOperators(max(minimumOperators, options.int("operators", default: operators)))
        return (users, operators)
    }

    /// Runs warm-up (discarded) then the measured phase of one open-loop load.
    ///
    /// `operation(index, scheduled, recorder)` must measure latency from `scheduled`. The loop
    /// without an explicit `rate` is the cell's primary load: with a ``coordinator`` it runs the
    /// cell's steps (one fixed step, or a capacity search) and the coordinator measures each
    /// step's window on both sides. A loop with its own `rate` (e.g. dashboard reads) runs
    /// alongside until the primary loop is done.
    public func measure(
        rate: Double? = nil,
        seedOffset: UInt64 = 0,
        recorder: Recorder,
        primary: String,
        operation: @escaping @Sendable (_ index: Int, _ scheduled: ContinuousClock.Instant, _ recorder: Recorder) async -> Void
    ) async -> OpenLoopRunner.Outcome {
        let firstRate = rate ?? coordinator?.search?.startRate ?? load.rate
        let warmupCount = await warmUp(rate: firstRate, seedOffset: seedOffset, primary: primary, operation: operation)
        guard let coordinator else {
            await onMeasureStart()
            status.begin("measure", recorder: recorder, operation: primary, expected: .seconds(load.duration))
            return await runLoad(rate: firstRate, seconds: load.duration, seed: load.seed &+ seedOffset) { index, scheduled in
                await operation(warmupCount + index, scheduled, recorder)
            }
        }
        coordinator.register(recorder)
        if rate != nil {
            // Alongside the primary loop, until it finishes.
            let runner = OpenLoopRunner(
                schedule: ArrivalSchedule(rate: firstRate, process: load.arrival, seed: load.seed &+ seedOffset),
                duration: .seconds(24 * 3600),
                maxInFlight: load.maxInFlight
            )
            return await runner.run(stop: { coordinator.isFinished }) { index, scheduled in
                await operation(warmupCount + index, scheduled, recorder)
            }
        }
        await onMeasureStart()
        var plan = coordinator.search.map { SearchPlan(spec: $0) }
        var offset = warmupCount
        var stepIndex: UInt64 = 0
        var chosen: OpenLoopRunner.Outcome?
        var last: OpenLoopRunner.Outcome?
        var retry: Double?
        while true {
            let stepRate: Double
            let phase: String
            if let again = retry {
                // The engine, not the server, failed the step: measure that rate once more.
                retry = nil
                phase = "retry"
                stepRate = again
            } else if plan != nil {
                phase = plan?.firstBad == nil ? "grow" : "refine"
                guard let next = plan?.next() else { break }
                stepRate = next
            } else {
                guard last == nil else { break }
                phase = "fixed"
                stepRate = load.rate
            }
            let seconds = coordinator.search?.stepSeconds ?? load.duration
            await coordinator.beginStep(rate: stepRate)
            status.begin("measure \(formatNumber(stepRate))/s", recorder: recorder, operation: primary, expected: .seconds(seconds))
            let base = offset
            let outcome = await runLoad(rate: stepRate, seconds: seconds, seed: load.seed &+ seedOffset &+ stepIndex &* 7919) { index, scheduled in
                await operation(base + index, scheduled, recorder)
            }
            offset += outcome.scheduled
            stepIndex += 1
            let step = await coordinator.endStep(phase: phase, outcome: outcome, primary: primary)
            last = outcome
            if plan != nil {
                if !step.met, step.sloMet, phase != "retry" {
                    retry = stepRate
                    continue
                }
                plan?.record(rate: stepRate, good: step.met)
                if step.met, plan?.capacity == stepRate { chosen = outcome }
            }
        }
        coordinator.finish()
        return chosen ?? last
            ?? OpenLoopRunner.Outcome(
                scheduled: 0,
                dropped: 0,
                dispatchDelay: LatencyHistogram(),
                elapsed: .zero,
                cpuSeconds: 0,
                started: .now
            )
    }

    /// Warm-up at `rate` for `load.warmup` seconds into a scratch recorder; returns how many ran.
    private func warmUp(
        rate: Double,
        seedOffset: UInt64,
        primary: String,
        operation: @escaping @Sendable (_ index: Int, _ scheduled: ContinuousClock.Instant, _ recorder: Recorder) async -> Void
    ) async -> Int {
        guard load.warmup > 0 else { return 0 }
        let scratch = Recorder()
        status.begin("warm-up", recorder: scratch, operation: primary, expected: .seconds(load.warmup))
        let outcome = await runLoad(rate: rate, seconds: load.warmup, seed: load.seed &+ seedOffset &+ 1) { index, scheduled in
            await operation(index, scheduled, scratch)
        }
        return outcome.scheduled
    }

    private func runLoad(
        rate: Double,
        seconds: Double,
        seed: UInt64,
        operation: @escaping @Sendable (_ index: Int, _ scheduled: ContinuousClock.Instant) async -> Void
    ) async -> OpenLoopRunner.Outcome {
        let runner = OpenLoopRunner(
            schedule: ArrivalSchedule(rate: rate, process: load.arrival, seed: seed),
            duration: .milliseconds(Int64(seconds * 1000)),
            maxInFlight: load.maxInFlight
        )
        return await runner.run(operation: operation)
    }
}
