import Vocabulary

/// The release policy of one agent (`canary.yaml` or `.json`, `schemas/policy.schema.json`).
///
/// Each tool reads its own section; sections of tools that are not yet configured keep their defaults.
package struct ReleasePolicy: Codable, Equatable, Sendable {
    /// The agent section.
    package var agent: AgentSection
    /// The `benchmark-gate` section.
    package var gate: GateSection
    /// The `canary-deploy` section.
    package var rollout: RolloutSection
    /// The `monitor` section.
    package var monitor: MonitorSection
    /// The `feedback-export` section; `nil` when the policy has none, so the digests of policies without one
    /// (stored in earlier analyses and looks) do not change.
    package var export: ExportSection?
    /// Who is told of decisions and transitions; `nil` when the policy has no `notify:` (digests unchanged).
    package var notify: [NotifyTarget]?

    /// A policy with every default, for the agent `name`.
    package init(
        agent: AgentSection, gate: GateSection = GateSection(), rollout: RolloutSection = RolloutSection(),
        monitor: MonitorSection = MonitorSection(), export: ExportSection? = nil
    ) {
        self.agent = agent
        self.gate = gate
        self.rollout = rollout
        self.monitor = monitor
        self.export = export
    }
}

/// `feedback-export`'s section: what else to redact.
package struct ExportSection: Codable, Equatable, Sendable {
    /// The team's own patterns, applied after the built-in rules (e-mail, phone, cards, IPs, keys, tokens).
    package var redact: [RedactionPattern] = []

    /// No extra patterns.
    package init(redact: [RedactionPattern] = []) {
        self.redact = redact
    }
}

/// A named regular expression (ICU syntax) whose matches become `[REDACTED:<name>]`.
package struct RedactionPattern: Codable, Equatable, Sendable {
    package var name: String
    package var pattern: String

    /// Names a pattern.
    package init(name: String, pattern: String) {
        self.name = name
        self.pattern = pattern
    }
}

/// Which agent the policy releases.
package struct AgentSection: Codable, Equatable, Sendable {
    /// The agent's name; every ledger row is keyed by it.
    package var name: String
    /// The version in production, when the team keeps it in the policy.
    package var baselineVersion: String?

    /// Names the agent.
    package init(name: String, baselineVersion: String? = nil) {
        self.name = name
        self.baselineVersion = baselineVersion
    }
}

/// A non-inferiority criterion on a difference metric (candidate − baseline, higher is better).
package struct DifferenceCriterion: Codable, Equatable, Sendable {
    /// Whether the criterion takes part in the verdict.
    package var enabled: Bool
    /// The largest acceptable drop, as a fraction (0.03 = 3 percentage points).
    package var margin: Double

    /// Makes a criterion.
    package init(enabled: Bool, margin: Double) {
        self.enabled = enabled
        self.margin = margin
    }
}

/// A non-inferiority criterion on a ratio metric (candidate / baseline, lower is better).
package struct RatioCriterion: Codable, Equatable, Sendable {
    /// Whether the criterion takes part in the verdict.
    package var enabled: Bool
    /// The largest acceptable ratio (1.10 = at most 10 % more).
    package var maxRatio: Double

    /// Makes a criterion.
    package init(enabled: Bool, maxRatio: Double) {
        self.enabled = enabled
        self.maxRatio = maxRatio
    }
}

/// The rule for unauthorized (rogue) actions.
package struct UnauthorizedCriterion: Codable, Equatable, Sendable {
    /// Whether the criterion takes part in the verdict.
    package var enabled: Bool
    /// How many tasks may show an unauthorized action on the candidate but none on the baseline.
    package var budget: Int

    /// Makes a criterion.
    package init(enabled: Bool, budget: Int) {
        self.enabled = enabled
        self.budget = budget
    }
}

/// How per-category regressions are treated.
package struct CategoryRule: Codable, Equatable, Sendable {
    /// Categories with fewer matched tasks are reported as insufficient, not judged.
    package var minTasks: Int
    /// `fail`: a category whose success is worse than the margin with confidence fails the gate;
    /// `warn`: it is only flagged.
    package var onRegression: RegressionHandling

    /// Makes a rule.
    package init(minTasks: Int, onRegression: RegressionHandling) {
        self.minTasks = minTasks
        self.onRegression = onRegression
    }
}

/// The `gate` section: how `benchmark-gate` compares a candidate with its baseline.
package struct GateSection: Codable, Equatable, Sendable {
    /// Two-sided confidence level of every interval.
    package var confidence: Double = 0.95
    /// Number of paired-bootstrap resamples.
    package var bootstrapResamples: Int = 2000
    /// Seed of the bootstrap's random generator.
    package var seed: UInt64 = 20_251_126
    /// A `score` at or above this counts as success.
    package var scoreThreshold: Double = 0.5
    /// The k of pass^k.
    package var passK: Int = 3
    /// Whether an inconclusive verdict stops the pipeline.
    package var inconclusiveBlocks: Bool = true
    /// The largest share of tasks present on one side only before the input counts as bad.
    package var maxUnmatchedShare: Double = 0.05
    /// Which Inspect AI scorer decides success, when a log has several.
    package var inspectScorer: String?
    /// Task success rate.
    package var successRate = DifferenceCriterion(enabled: true, margin: 0.03)
    /// pass^k (all k trials succeed). Its margin is wider than success's: it moves about k times as much.
    package var passHatK = DifferenceCriterion(enabled: true, margin: 0.08)
    /// Mean cost per task.
    package var costPerTask = RatioCriterion(enabled: true, maxRatio: 1.10)
    /// 95th percentile of latency.
    package var latencyP95Ms = RatioCriterion(enabled: true, maxRatio: 1.25)
    /// Unauthorized actions.
    package var unauthorizedActions = UnauthorizedCriterion(enabled: true, budget: 0)
    /// Per-category rule.
    package var categories = CategoryRule(minTasks: 20, onRegression: .fail)

    /// The defaults.
    package init() {}
}
