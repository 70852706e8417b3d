/// A dataset format.
package enum DatasetFormat: String, Sendable, CaseIterable {
    case native
    case csv
    /// OpenAI chat fine-tuning (`messages` with tool calls, `tools`), from successful tasks.
    case openaiSFT = "openai-sft"
    /// OpenAI preference fine-tuning (`input`, `preferred_output`, `non_preferred_output`).
    case openaiDPO = "openai-dpo"
    /// TRL conversational preference (`prompt`, `chosen`, `rejected`).
    case trlPreference = "trl-preference"
    /// The failures as regression tasks in the native benchmark format, for the next `benchmark-gate`.
    case benchmarkTasks = "benchmark-tasks"
}
