import Foundation
import Statistics
import Testing

/// Lan–DeMets error-spending boundaries against R `rpact` 3.3.4 (Debian's r-cran-rpact), one-sided:
///
///     library(rpact)
///     getDesignGroupSequential(kMax = 3, alpha = 0.025, sided = 1, typeOfDesign = "asOF")$criticalValues
///     getDesignGroupSequential(informationRates = c(0.2, 0.45, 0.7, 1), alpha = 0.05, sided = 1,
///                              typeOfDesign = "asP")$criticalValues
///
/// `asOF` is the O'Brien–Fleming-type spending function, `asP` the Pocock-type one. The K = 3 O'Brien–Fleming
/// values are also gsDesign's (`gsDesign(k = 3, test.type = 1, sfu = sfLDOF)`: 3.7103, 2.5114, 1.9930).
@Suite("Group-sequential boundaries (Lan–DeMets spending)")
struct GroupSequentialTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let spending: GroupSequential.Spending
        let alpha: Double
        let fractions: [Double]
        let rpact: [Double]
        var testDescription: String { "\(spending.rawValue), α \(alpha), \(fractions.count) looks" }
    }

    static let cases: [Case] = [
        Case(
            spending: .obrienFleming, alpha: 0.025, fractions: [1.0 / 3, 2.0 / 3, 1],
            rpact: [3.710303, 2.511427, 1.993047]),
        Case(
            spending: .pocock, alpha: 0.025, fractions: [1.0 / 3, 2.0 / 3, 1], rpact: [2.279428, 2.294911, 2.295940]),
        Case(
            spending: .obrienFleming, alpha: 0.025, fractions: [0.2, 0.4, 0.6, 0.8, 1],
            rpact: [4.876885, 3.357012, 2.680280, 2.289817, 2.031032]),
        Case(
            spending: .pocock, alpha: 0.025, fractions: [0.2, 0.4, 0.6, 0.8, 1],
            rpact: [2.437977, 2.426814, 2.410194, 2.396649, 2.386000]),
        Case(
            spending: .obrienFleming, alpha: 0.05, fractions: [0.2, 0.45, 0.7, 1],
            rpact: [4.229195, 2.699084, 2.095701, 1.705083]),
        Case(
            spending: .pocock, alpha: 0.05, fractions: [0.2, 0.45, 0.7, 1],
            rpact: [2.176211, 2.090231, 2.061066, 2.012222]),
    ]

    @Test("the boundaries are rpact's to 1e-5", arguments: cases)
    func againstRpact(_ example: Case) {
        let boundaries = GroupSequential.boundaries(
            fractions: example.fractions, alpha: example.alpha, spending: example.spending)
        for (ours, theirs) in zip(boundaries, example.rpact) {
            #expect(abs(ours - theirs) < 1e-5, "\(boundaries) against \(example.rpact)")
        }
    }

    /// rpact's inflation factors, one-sided α = 0.05, power 0.9:
    ///
    ///     getDesignCharacteristics(getDesignGroupSequential(kMax = 3, alpha = 0.05, beta = 0.1, sided = 1,
    ///                                                       typeOfDesign = "asOF"))$inflationFactor
    @Test("the maximum information over the fixed design's is rpact's inflation factor to 1e-5")
    func inflation() {
        let cases: [(GroupSequential.Spending, [Double], Double)] = [
            (.obrienFleming, [1.0 / 3, 2.0 / 3, 1], 1.018749), (.obrienFleming, [0.2, 0.4, 0.6, 0.8, 1], 1.032526),
            (.pocock, [1.0 / 3, 2.0 / 3, 1], 1.159455), (.pocock, [0.2, 0.4, 0.6, 0.8, 1], 1.199652),
            (.obrienFleming, [0.2, 0.45, 0.7, 1], 1.022359),
        ]
        for (spending, fractions, rpact) in cases {
            let ours = GroupSequential.inflation(fractions: fractions, alpha: 0.05, beta: 0.1, spending: spending)
            #expect(abs(ours - rpact) < 1e-5, "\(spending) \(fractions.count): \(ours)")
        }
    }

    @Test("the cached boundaries of a growing sequence of looks are the boundaries computed afresh")
    func cached() {
        // Each call extends the cached walk of the one before by a look; the last one holds every boundary.
        var fractions: [Double] = []
        var cached: [Double] = []
        for index in 1...15 {
            fractions.append(Double(index) * 0.075)
            cached = GroupSequential.cachedBoundaries(fractions: fractions, alpha: 0.05, spending: .obrienFleming)
        }
        #expect(cached == GroupSequential.boundaries(fractions: fractions, alpha: 0.05, spending: .obrienFleming))
    }

    @Test("one look spends all of α: the fixed-horizon boundary; looks past the plan spend nothing")
    func ends() {
        let single = GroupSequential.boundaries(fractions: [1], alpha: 0.05, spending: .obrienFleming)
        #expect(abs(single[0] - 1.644854) < 1e-6)
        // The information overran the plan at the third look: it is the final analysis and spends what is left;
        // a fourth look can no longer cross.
        let overrun = GroupSequential.boundaries(fractions: [0.4, 0.8, 1.15, 1.3], alpha: 0.05, spending: .pocock)
        #expect(overrun[3] == .infinity)
        #expect(overrun[2].isFinite && overrun[2] > 1.645)
        for spending in GroupSequential.Spending.allCases {
            #expect(spending.spent(0, alpha: 0.05) == 0)
            #expect(abs(spending.spent(1, alpha: 0.05) - 0.05) < 1e-12)
            #expect(spending.spent(2, alpha: 0.05) == spending.spent(1, alpha: 0.05))
        }
    }

    /// The boundaries hold their level: a Monte Carlo of the null Brownian motion, observed at the looks, crosses
    /// in about α of the paths (400,000 paths: the standard error is 0.00034 at α = 0.05) — also when the
    /// information overruns the plan and the last look is the final analysis at t = 1.2.
    @Test("null paths cross at level α", arguments: [[0.15, 0.35, 0.5, 0.8, 1], [0.15, 0.35, 0.5, 0.8, 1.2, 1.4]])
    func level(_ fractions: [Double]) {
        var generator = SeededGenerator(seed: 7)
        let boundaries = GroupSequential.boundaries(fractions: fractions, alpha: 0.05, spending: .obrienFleming)
        let paths = 400_000
        var crossed = 0
        for _ in 0..<paths {
            var score = 0.0
            var previous = 0.0
            for (t, c) in zip(fractions, boundaries) {
                // Box–Muller.
                let normal =
                    (-2 * log(1 - generator.nextUnit())).squareRoot() * cos(2 * Double.pi * generator.nextUnit())
                score += (t - previous).squareRoot() * normal
                previous = t
                if score / t.squareRoot() >= c {
                    crossed += 1
                    break
                }
            }
        }
        let rate = Double(crossed) / Double(paths)
        #expect(abs(rate - 0.05) < 4 * 0.00034, "\(rate)")
    }
}
