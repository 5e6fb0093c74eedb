import SummaryCache
import Testing

/// Reference values from the closed form (z = 1.959964), computed independently in Python.
struct WilsonIntervalTests {
    @Test(arguments: [
        (1, 132, 0.0013386, 0.0416635),
        (0, 120, 0.0, 0.0310192),
        (4, 120, 0.0130376, 0.0825803),
        (50, 100, 0.4038315, 0.5961685),
    ])
    func matchesTheClosedForm(successes: Int, trials: Int, lower: Double, upper: Double) {
        let ci = WilsonInterval(successes: successes, trials: trials)
        #expect(abs(ci.lower - lower) < 1e-6)
        #expect(abs(ci.upper - upper) < 1e-6)
        #expect(ci.lower <= Double(successes) / Double(trials) && Double(successes) / Double(trials) <= ci.upper)
    }

    @Test func degenerateInputsStayInTheUnitInterval() {
        #expect(WilsonInterval(successes: 0, trials: 0) == WilsonInterval(successes: 3, trials: 0))
        #expect(WilsonInterval(successes: 0, trials: 0).upper == 1)
        let all = WilsonInterval(successes: 10, trials: 10)
        #expect(all.upper == 1 && all.lower > 0.6)
        // Out-of-range counts are clamped, not trusted.
        #expect(WilsonInterval(successes: 12, trials: 10) == all)
        #expect(WilsonInterval(successes: -1, trials: 10) == WilsonInterval(successes: 0, trials: 10))
    }

    /// More trials at the same rate narrow the interval.
    @Test func narrowsWithMoreTrials() {
        let small = WilsonInterval(successes: 2, trials: 100)
        let large = WilsonInterval(successes: 20, trials: 1000)
        #expect(large.upper - large.lower < small.upper - small.lower)
    }
}
