import Vocabulary

/// A word of the shared vocabulary, stored as its raw value; a row holding another text fails to read, naming
/// the column and the value (`column phase holds text("paused2"), not a RolloutPhase`).
package protocol SQLVocabulary: SQLBindable, SQLDecodable, VocabularyWord {}

extension SQLVocabulary {
    package var sqlValue: SQLValue { .text(rawValue) }

    package static func decode(_ value: SQLValue) -> Self? {
        String.decode(value).flatMap(Self.init(rawValue:))
    }
}

extension Arm: SQLVocabulary {}
extension Decision: SQLVocabulary {}
extension GateVerdict: SQLVocabulary {}
extension MetricDirection: SQLVocabulary {}
extension MetricRole: SQLVocabulary {}
extension MetricStatus: SQLVocabulary {}
extension RolloutCommand: SQLVocabulary {}
extension RolloutMode: SQLVocabulary {}
extension RolloutPhase: SQLVocabulary {}
extension TaskOutcome: SQLVocabulary {}
extension ViolationSeverity: SQLVocabulary {}
