/// A word of the shared vocabulary: written, logged and interpolated as its raw value (`rolled_back`, not the
/// case name `rolledBack`), the text the ledger, the artifacts and every report use.
package protocol VocabularyWord: RawRepresentable<String>, CustomStringConvertible, Sendable {}

extension VocabularyWord {
    package var description: String { rawValue }
}

extension Arm: VocabularyWord {}
extension Decision: VocabularyWord {}
extension GateVerdict: VocabularyWord {}
extension MetricDirection: VocabularyWord {}
extension MetricRole: VocabularyWord {}
extension MetricStatus: VocabularyWord {}
extension RecordHandling: VocabularyWord {}
extension RegressionHandling: VocabularyWord {}
extension RolloutCommand: VocabularyWord {}
extension RolloutMode: VocabularyWord {}
extension RolloutPhase: VocabularyWord {}
extension TaskOutcome: VocabularyWord {}
extension ViolationSeverity: VocabularyWord {}
