/// Ordinary and non-negative least squares for small problems (a handful of coefficients):
/// used to fit the simulator's cost model to measured step latencies.
public enum LeastSquares {
    /// Minimises ‖X·c − y‖² via normal equations on column-scaled features (Gaussian elimination
    /// with partial pivoting). Returns nil when the rows are fewer than the columns, lengths
    /// disagree, or the problem is singular (a feature never varies independently).
    public static func solve(_ rows: [[Double]], _ targets: [Double]) -> [Double]? {
        guard let k = rows.first?.count, k > 0, rows.count == targets.count, rows.count >= k,
              rows.allSatisfy({ $0.count == k }) else { return nil }
        // Scale columns to unit max so seconds-per-token and per-step columns are comparable.
        var scale = [Double](repeating: 0, count: k)
        for r in rows { for j in 0..<k { scale[j] = max(scale[j], abs(r[j])) } }
        guard scale.allSatisfy({ $0 > 0 && $0.isFinite }) else { return nil }
        var a = [[Double]](repeating: [Double](repeating: 0, count: k + 1), count: k)
        for (r, y) in zip(rows, targets) {
            for i in 0..<k {
                let xi = r[i] / scale[i]
                for j in 0..<k { a[i][j] += xi * r[j] / scale[j] }
                a[i][k] += xi * y
            }
        }
        // Gaussian elimination with partial pivoting on the k × (k+1) augmented system.
        let diagonalScale = (0..<k).map { a[$0][$0] }.max() ?? 1
        for col in 0..<k {
            var pivot = col
            for row in col + 1 ..< k where abs(a[row][col]) > abs(a[pivot][col]) { pivot = row }
            guard abs(a[pivot][col]) > 1e-12 * max(diagonalScale, 1e-300) else { return nil }
            a.swapAt(col, pivot)
            for row in 0..<k where row != col {
                let f = a[row][col] / a[col][col]
                if f == 0 { continue }
                for j in col...k { a[row][j] -= f * a[col][j] }
            }
        }
        let c = (0..<k).map { a[$0][k] / a[$0][$0] / scale[$0] }
        return c.allSatisfy(\.isFinite) ? c : nil
    }

    /// Least squares with every coefficient ≥ 0 (active set: drop the most negative coefficient,
    /// refit without it, repeat). Dropped coefficients are 0. Nil when no subset can be solved.
    public static func solveNonNegative(_ rows: [[Double]], _ targets: [Double]) -> [Double]? {
        guard let k = rows.first?.count else { return nil }
        var active = Array(0..<k)
        while !active.isEmpty {
            let sub = rows.map { r in active.map { r[$0] } }
            guard let c = solve(sub, targets) else { return nil }
            if let worst = c.indices.min(by: { c[$0] < c[$1] }), c[worst] < 0 {
                active.remove(at: worst)
                continue
            }
            var out = [Double](repeating: 0, count: k)
            for (i, j) in active.enumerated() { out[j] = c[i] }
            return out
        }
        return [Double](repeating: 0, count: k)
    }

    /// Coefficient of determination of `coefficients` on the data (1 = perfect; may be < 0).
    public static func rSquared(_ rows: [[Double]], _ targets: [Double], coefficients: [Double]) -> Double {
        guard !targets.isEmpty else { return 1 }
        let mean = targets.reduce(0, +) / Double(targets.count)
        var ssRes = 0.0, ssTot = 0.0
        for (r, y) in zip(rows, targets) {
            let p = zip(r, coefficients).reduce(0) { $0 + $1.0 * $1.1 }
            ssRes += (y - p) * (y - p)
            ssTot += (y - mean) * (y - mean)
        }
        return ssTot > 0 ? 1 - ssRes / ssTot : (ssRes == 0 ? 1 : 0)
    }
}
