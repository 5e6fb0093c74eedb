import Reports
import Testing

@Suite struct LeastSquaresTests {
    /// Rows like the profiler's: [1, tokens, Σ tokens·rank, distinct adapters].
    static let rows: [[Double]] = (0..<24).map { i in
        let tokens = Double([1, 8, 32, 64, 128, 16][i % 6])
        let rank = Double([0, 8, 16, 64][i % 4])
        let adapters = Double(i % 3)
        return [1, tokens, tokens * rank, adapters]
    }

    @Test func recoversExactCoefficients() throws {
        let truth = [0.006, 35e-6, 0.06e-6, 0.0003]
        let y = Self.rows.map { r in zip(r, truth).reduce(0) { $0 + $1.0 * $1.1 } }
        let c = try #require(LeastSquares.solve(Self.rows, y))
        for (got, want) in zip(c, truth) { #expect(abs(got - want) <= 1e-9 * max(1, abs(want)) + abs(want) * 1e-6) }
        #expect(abs(LeastSquares.rSquared(Self.rows, y, coefficients: c) - 1) < 1e-9)
    }

    @Test func fitsNoisyDataCloselyAndMinimisesResiduals() throws {
        let truth = [0.01, 1e-4, 2e-7, 0.001]
        var noise: Double = 0.37
        let y = Self.rows.map { r -> Double in
            noise = (noise * 9301 + 49297).truncatingRemainder(dividingBy: 233280) / 233280
            return zip(r, truth).reduce(0) { $0 + $1.0 * $1.1 } * (1 + (noise - 0.5) * 0.02)
        }
        let c = try #require(LeastSquares.solve(Self.rows, y))
        #expect(abs(c[1] - truth[1]) / truth[1] < 0.05)
        // The least-squares optimum beats the truth on squared residuals.
        func sse(_ k: [Double]) -> Double { zip(Self.rows, y).reduce(0) { let p = zip($1.0, k).reduce(0) { $0 + $1.0 * $1.1 }; return $0 + (p - $1.1) * (p - $1.1) } }
        #expect(sse(c) <= sse(truth))
    }

    @Test func singularOrMalformedProblemsReturnNil() {
        #expect(LeastSquares.solve([[1, 2], [2, 4], [3, 6]], [1, 2, 3]) == nil)
        #expect(LeastSquares.solve([[1, 2]], [1]) == nil)
        #expect(LeastSquares.solve([[1, 2], [1]], [1, 2]) == nil)
        #expect(LeastSquares.solve([], []) == nil)
    }

    @Test func nonNegativeDropsNegativeCoefficients() throws {
        // y falls with the second feature: unconstrained slope < 0, constrained = 0.
        let rows: [[Double]] = (0..<10).map { [1, Double($0)] }
        let y = (0..<10).map { 5 - 0.1 * Double($0) }
        let free = try #require(LeastSquares.solve(rows, y))
        #expect(free[1] < 0)
        let c = try #require(LeastSquares.solveNonNegative(rows, y))
        #expect(c[1] == 0)
        #expect(abs(c[0] - 4.55) < 1e-9)
        #expect(c.allSatisfy { $0 >= 0 })
    }
}
