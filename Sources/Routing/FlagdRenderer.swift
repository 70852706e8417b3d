import Foundation
import Policy
import Vocabulary

/// OpenFeature flagd: one flag, keyed by the agent's name, whose variants are the baseline and candidate versions
/// (each variant named after its version, so the `feature_flag.result.variant` the agent reports is the version
/// the monitor compares). The agent's code evaluates it once per conversation turn with the conversation id as
/// the targeting key and the conversation's start time in the context (`conversation_started_at`, Unix seconds).
///
/// A conversation never changes version: the targeting holds one rule per period of the rollout (each
/// transition starts one), and a conversation is assigned by the rule of the period it started in, so advancing,
/// pausing, promoting or rolling back changes only conversations that start later. A split is flagd's
/// `fractional` over the flag key and the targeting key. After a promotion or rollback, conversations that
/// started before it keep their version until the drain deadline (`$flagd.timestamp`, the evaluator's clock);
/// from then on every evaluation answers the version that won.
///
/// A period begins ``activationDelaySeconds`` after its transition, so the new definition reaches every
/// evaluator (flagd's file or sync source) before any conversation it assigns starts: a conversation that
/// started in between is assigned by the same earlier rule in the old definition and the new one.
///
/// Requests name a version with the pin header and, in the A/B and dark modes, match the policy's header and
/// cookie rules, through the context's `headers` and `cookies` maps (lower-case names). flagd answers one variant
/// per evaluation and cannot mirror a conversation: shadow mode is refused.
enum FlagdRenderer {
    /// Seconds between a transition and the first conversation its rule assigns.
    static let activationDelaySeconds = 60

    static func render(_ plan: RoutingPlan) throws(RoutingError) -> [RenderedFile] {
        if plan.mirrorPercent != nil {
            throw .unsupported(
                router: "flagd", feature: "shadow mode (mirroring conversations to the shadow deployment)",
                hint: "flagd answers one variant per evaluation; use a mesh or gateway router (istio, nginx, ...) "
                    + "for shadow mode, or run the shadow from the agent's own code")
        }
        let baseline = plan.version(.baseline)
        let candidate = plan.version(.candidate)
        var flag: [String: Any] = [
            "state": "ENABLED", "variants": [baseline: baseline, candidate: candidate],
            "metadata": [
                "agent_canary_baseline_version": baseline, "agent_canary_candidate_version": candidate,
                "agent_canary_context": "targetingKey: the conversation id; conversation_started_at: Unix seconds",
            ],
        ]
        if case .all(let serving) = plan.newConversations, plan.pinned == [serving] {
            // Promoted or rolled back, the drain over: one version for everyone.
            flag["defaultVariant"] = plan.version(serving)
        } else {
            flag["defaultVariant"] = baseline
            flag["targeting"] = try targeting(plan)
        }
        let document: [String: Any] = [
            "$schema": "https://flagd.dev/schema/v0/flags.json", "flags": [plan.agent: flag],
        ]
        guard
            let data = try? JSONSerialization.data(
                withJSONObject: document, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        else { throw .invalidPlan(reason: "the flag definition is not JSON") }
        return [
            RenderedFile(
                name: "flags.json", validationKind: "flagd-flags", text: String(decoding: data, as: UTF8.self) + "\n")
        ]
    }

    /// `if` over the drain, the pins and the periods, latest first; a conversation started before the rollout
    /// stays on the baseline.
    static func targeting(_ plan: RoutingPlan) throws(RoutingError) -> [String: Any] {
        var chain: [Any] = []
        if let deadline = plan.drainDeadline, case .all(let serving) = plan.newConversations {
            guard let seconds = unixSeconds(deadline) else {
                throw .invalidPlan(reason: "the drain deadline '\(deadline)' is not an ISO-8601 time")
            }
            chain += [[">=": [["var": "$flagd.timestamp"], seconds]], plan.version(serving)]
        }
        for arm in plan.pinnedInOrder {
            chain += [
                ["==": [["var": "headers.\(plan.pinHeader.lowercased())"], plan.version(arm)]], plan.version(arm),
            ]
        }
        guard !plan.periods.isEmpty else {
            // A preview, without the rollout's history: only where new conversations go now.
            chain.append(assignment(plan.newConversations, plan))
            return ["if": chain]
        }
        for period in plan.periods.reversed() {
            chain += [
                [">=": [["var": ["conversation_started_at", 0]], period.startedAt + activationDelaySeconds]],
                assignment(period.newConversations, plan),
            ]
        }
        chain.append(plan.version(.baseline))
        return ["if": chain]
    }

    /// Where a period's new conversations go, as a JSONLogic expression.
    static func assignment(_ conversations: NewConversations, _ plan: RoutingPlan) -> Any {
        let (baseline, candidate) = (plan.version(.baseline), plan.version(.candidate))
        switch conversations {
        case .all(let arm): return plan.version(arm)
        case .split(let percent) where percent <= 0: return baseline
        case .split(let percent) where percent >= 100: return candidate
        case .split(let percent): return ["fractional": [[baseline, 100 - percent], [candidate, percent]]]
        case .match(let rules):
            let conditions: [Any] = rules.map { rule in
                let map = rule.kind == "cookie" ? "cookies" : "headers"
                let name = rule.kind == "cookie" ? rule.name : rule.name.lowercased()
                return ["==": [["var": "\(map).\(name)"], rule.value]]
            }
            return ["if": [conditions.count == 1 ? conditions[0] : ["or": conditions], candidate, baseline]]
        }
    }

    static func unixSeconds(_ iso: String) -> Int? {
        ISO8601DateFormatter().date(from: iso).map { Int($0.timeIntervalSince1970) }
    }
}
