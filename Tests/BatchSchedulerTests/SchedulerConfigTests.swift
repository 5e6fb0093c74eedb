import Foundation
import BatchScheduler
import Testing

@Suite struct SchedulerConfigTests {
    @Test func defaultsAreValidAndRoundTripThroughJSON() throws {
        let config = SchedulerConfig()
        try config.validate()
        let data = try JSONEncoder().encode(config)
        #expect(try JSONDecoder().decode(SchedulerConfig.self, from: data) == config)
    }

    static let broken: [(String, SchedulerConfig)] = {
        func with(_ change: (inout SchedulerConfig) -> Void) -> SchedulerConfig {
            var c = SchedulerConfig()
            change(&c)
            return c
        }
        return [
            ("maxBatchTokens", with { $0.maxBatchTokens = 0 }),
            ("kvBlockTokens", with { $0.kvBlockTokens = -1 }),
            ("maxAdaptersPerStep", with { $0.maxAdaptersPerStep = 0 }),
            ("agingSteps", with { $0.agingSteps = -1 }),
            ("maxRunningSequences", with { $0.maxRunningSequences = $0.maxBatchTokens + 1 }),
            ("maxModelLength", with { $0.maxModelLength = $0.kvBlockTokens * $0.kvBlockCount + 1 }),
            ("maxModelLength", with { $0.kvBlockTokens = Int.max / 2; $0.kvBlockCount = 4 }),
            ("retryAfterSeconds", with { $0.minRetryAfterSeconds = 5; $0.maxRetryAfterSeconds = 1 }),
            ("retryAfterSeconds", with { $0.maxRetryAfterSeconds = .infinity }),
        ]
    }()

    @Test(arguments: broken)
    func rejectsContradictoryLimits(parameter: String, config: SchedulerConfig) {
        #expect(throws: SchedulerConfigError.self) { try config.validate() }
        do throws(SchedulerConfigError) {
            try config.validate()
        } catch {
            guard case let .invalid(name, _, _) = error else { return }
            #expect(name == parameter)
        }
        #expect(throws: SchedulerConfigError.self) { _ = try BatchScheduler(config: config) }
    }
}
