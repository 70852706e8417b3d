import Foundation

/// The difference between two arms adjusted for covariates known before each outcome (the task's category, the
/// user's tier): Lin's (2013) interacted regression, `y ~ 1 + candidate + x + candidate·x` by ordinary least
/// squares with `x` centred on its pooled mean, whose `candidate` coefficient is the adjusted difference. With one
/// categorical covariate it is the post-stratified difference; with none, the plain difference of means. Its
/// standard error is the sandwich estimate, robust to heteroskedasticity (HC1) or clustered by conversation, with
/// statsmodels' small-sample factors (checked against statsmodels 0.15.0's OLS).
package enum RegressionAdjustment {
    /// One observation: its outcome, arm, covariates and cluster (conversation).
    package struct Observation: Sendable {
        package var outcome: Double
        package var candidate: Bool
        package var covariates: [Double]
        package var cluster: Int

        /// Makes an observation.
        package init(outcome: Double, candidate: Bool, covariates: [Double], cluster: Int) {
            self.outcome = outcome
            self.candidate = candidate
            self.covariates = covariates
            self.cluster = cluster
        }
    }

    /// How the standard error treats observations.
    package enum Errors: Sendable {
        /// Independent observations, heteroskedasticity-robust, times `n / (n − k)`.
        case hc1
        /// Clustered: times `G / (G − 1) · (n − 1) / (n − k)`, as statsmodels' `cov_type="cluster"`.
        case clustered
    }

    /// An adjusted difference (candidate minus baseline) and its standard error.
    package struct Estimate: Equatable, Sendable {
        package var difference: Double
        package var standardError: Double
    }

    /// Lin's estimate over `observations` (all with as many covariates), or `nil` when the design is singular
    /// (an arm empty, a covariate constant within the data).
    package static func lin(_ observations: [Observation], errors: Errors) -> Estimate? {
        guard let first = observations.first else { return nil }
        let m = first.covariates.count
        let n = observations.count
        var means = [Double](repeating: 0, count: m)
        for observation in observations {
            for j in 0..<m { means[j] += observation.covariates[j] / Double(n) }
        }
        // The design row: 1, candidate, x − x̄, candidate · (x − x̄).
        func row(_ observation: Observation) -> [Double] {
            let treated = observation.candidate ? 1.0 : 0.0
            let centred = (0..<m).map { observation.covariates[$0] - means[$0] }
            return [1, treated] + centred + centred.map { $0 * treated }
        }
        let k = 2 + 2 * m
        guard n > k else { return nil }
        var gram = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
        var moment = [Double](repeating: 0, count: k)
        var rows: [[Double]] = []
        rows.reserveCapacity(n)
        for observation in observations {
            let x = row(observation)
            rows.append(x)
            for a in 0..<k {
                moment[a] += x[a] * observation.outcome
                for b in 0..<k { gram[a][b] += x[a] * x[b] }
            }
        }
        guard let inverse = invert(gram) else { return nil }
        let beta = (0..<k).map { a in (0..<k).reduce(0.0) { $0 + inverse[a][$1] * moment[$1] } }
        // The meat: the scores x·e summed within each cluster (each observation its own, for HC1).
        var scores: [Int: [Double]] = [:]
        for (index, observation) in observations.enumerated() {
            let x = rows[index]
            let residual = observation.outcome - (0..<k).reduce(0.0) { $0 + x[$1] * beta[$1] }
            let key = errors == .clustered ? observation.cluster : index
            var score = scores[key] ?? [Double](repeating: 0, count: k)
            for a in 0..<k { score[a] += x[a] * residual }
            scores[key] = score
        }
        // Only the candidate coefficient's variance is needed: row 1 of the inverse on both sides.
        let bread = inverse[1]
        var meat = 0.0
        for score in scores.values {
            let projected = (0..<k).reduce(0.0) { $0 + bread[$1] * score[$1] }
            meat += projected * projected
        }
        let groups = Double(scores.count)
        let factor: Double =
            switch errors {
            case .hc1: Double(n) / Double(n - k)
            case .clustered: groups / (groups - 1) * Double(n - 1) / Double(n - k)
            }
        guard groups > 1 else { return nil }
        return Estimate(difference: beta[1], standardError: (meat * factor).squareRoot())
    }

    /// The inverse of a symmetric positive-definite matrix by Gauss–Jordan elimination with partial pivoting;
    /// `nil` when it is singular.
    static func invert(_ matrix: [[Double]]) -> [[Double]]? {
        let k = matrix.count
        var a = matrix
        var inverse = (0..<k).map { i in (0..<k).map { $0 == i ? 1.0 : 0.0 } }
        let scale = matrix.enumerated().map { abs($0.element[$0.offset]) }.max() ?? 1
        for column in 0..<k {
            guard
                let pivot = (column..<k).max(by: { abs(a[$0][column]) < abs(a[$1][column]) }),
                abs(a[pivot][column]) > 1e-12 * max(scale, 1e-300)
            else { return nil }
            a.swapAt(column, pivot)
            inverse.swapAt(column, pivot)
            let divisor = a[column][column]
            for j in 0..<k {
                a[column][j] /= divisor
                inverse[column][j] /= divisor
            }
            for row in 0..<k where row != column {
                let factor = a[row][column]
                guard factor != 0 else { continue }
                for j in 0..<k {
                    a[row][j] -= factor * a[column][j]
                    inverse[row][j] -= factor * inverse[column][j]
                }
            }
        }
        return inverse
    }
}
