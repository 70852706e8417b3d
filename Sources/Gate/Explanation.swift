import Artifacts
import Foundation

/// The sentences that explain a criterion to the person reading a gate.
enum Explanation {
    static func sentence(for metric: GateMetric, confidence: Double?) -> String {
        let level = confidence.map { "\(format($0 * 100, digits: 0)) % CI" } ?? "CI"
        switch metric.comparison {
        case "difference":
            let points = (metric.difference ?? 0) * 100
            let interval =
                "\(level) \(signed((metric.ciLow ?? 0) * 100)) to \(signed((metric.ciHigh ?? 0) * 100)) points"
            let margin = format(-(metric.threshold ?? 0) * 100, digits: 1)
            switch metric.status {
            case .fail:
                return "\(metric.name): the candidate is \(signed(points)) points (\(interval)), worse than the "
                    + "\(margin)-point margin with confidence"
            default:
                let needed = metric.tasksNeeded.map { "; about \($0) matched tasks would settle it" } ?? ""
                return "\(metric.name): \(signed(points)) points (\(interval)) cannot be told apart from the "
                    + "\(margin)-point margin\(needed)"
            }
        case "ratio":
            let ratio = format(metric.ratio ?? 0, digits: 3)
            let interval = "\(level) \(format(metric.ciLow ?? 0, digits: 3))–\(format(metric.ciHigh ?? 0, digits: 3))"
            let limit = format(metric.threshold ?? 0, digits: 2)
            switch metric.status {
            case .fail:
                return "\(metric.name): the candidate's ratio is \(ratio)× (\(interval)), above the \(limit)× limit "
                    + "with confidence"
            default:
                let needed = metric.tasksNeeded.map { "; about \($0) matched tasks would settle it" } ?? ""
                return "\(metric.name): ratio \(ratio)× (\(interval)) cannot be told apart from the \(limit)× "
                    + "limit\(needed)"
            }
        default:
            return "\(metric.name): \(Int(metric.difference ?? 0)) task(s) with an unauthorized action on the "
                + "candidate and none on the baseline; the budget is \(Int(metric.threshold ?? 0))"
        }
    }

    static func format(_ value: Double, digits: Int) -> String {
        String(format: "%.\(digits)f", value)
    }

    static func signed(_ value: Double) -> String {
        let text = format(abs(value), digits: 1)
        return value < 0 && text != "0.0" ? "−\(text)" : "+\(text)"
    }
}
