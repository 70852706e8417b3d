import Telemetry
import Vocabulary

/// What the accumulator needs of a task: hashes of its ids and its numbers (NaN where absent).
package struct TaskFacts {
    package var timestamp: Double
    package var conversation: UInt64
    package var task: UInt64
    /// 0 when the task has no request id.
    package var request: UInt64
    package var outcome: TaskOutcome
    package var cost: Double
    package var latency: Double
    package var inputTokens: Double
    package var outputTokens: Double
    package var steps: Double
    package var judge: Double
    /// 0 when the task has no category.
    package var category: UInt64

    /// Makes facts.
    package init(
        timestamp: Double, conversation: UInt64, task: UInt64, request: UInt64, outcome: TaskOutcome, cost: Double,
        latency: Double, inputTokens: Double, outputTokens: Double, steps: Double, judge: Double, category: UInt64
    ) {
        self.timestamp = timestamp
        self.conversation = conversation
        self.task = task
        self.request = request
        self.outcome = outcome
        self.cost = cost
        self.latency = latency
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.steps = steps
        self.judge = judge
        self.category = category
    }
}
