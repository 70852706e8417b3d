import Policy
import Rollout
import Testing
import Vocabulary

@Suite("Rollout state machine")
struct RolloutMachineTests {
    static let machine = RolloutMachine(steps: [
        RolloutStep(weight: 1, minTasks: 10, minDurationSeconds: 60),
        RolloutStep(weight: 25, minTasks: 10, minDurationSeconds: 60),
        RolloutStep(weight: 100, minTasks: 10, minDurationSeconds: 60),
    ])

    static func at(_ phase: RolloutPhase, _ step: Int = 0) -> RolloutPosition {
        RolloutPosition(phase: phase, step: step, weight: [1, 25, 100][step])
    }

    @Test(
        "allowed transitions",
        arguments: [
            (
                RolloutCommand.advance, at(.progressing, 0), false, true,
                RolloutPosition(phase: .progressing, step: 1, weight: 25)
            ),
            (.advance, at(.progressing, 1), true, false, RolloutPosition(phase: .progressing, step: 2, weight: 100)),
            (.promote, at(.progressing, 2), true, false, RolloutPosition(phase: .promoted, step: 2, weight: 100)),
            (.promote, at(.progressing, 0), false, true, RolloutPosition(phase: .promoted, step: 0, weight: 100)),
            (.promote, at(.paused, 1), true, false, RolloutPosition(phase: .promoted, step: 1, weight: 100)),
            (.rollback, at(.progressing, 1), false, false, RolloutPosition(phase: .rolledBack, step: 1, weight: 0)),
            (.rollback, at(.paused, 1), false, false, RolloutPosition(phase: .rolledBack, step: 1, weight: 0)),
            (.rollback, at(.promoted, 2), false, false, RolloutPosition(phase: .rolledBack, step: 2, weight: 0)),
            (.pause, at(.progressing, 1), false, false, RolloutPosition(phase: .paused, step: 1, weight: 25)),
            (.resume, at(.paused, 1), false, false, RolloutPosition(phase: .progressing, step: 1, weight: 25)),
        ])
    func allowed(
        command: RolloutCommand, from: RolloutPosition, decision: Bool, forced: Bool, expected: RolloutPosition
    ) throws {
        #expect(try Self.machine.next(command, from: from, hasDecision: decision, forced: forced) == expected)
    }

    @Test(
        "impossible transitions are refused",
        arguments: [
            (RolloutCommand.advance, at(.rolledBack, 1), true, false),
            (.advance, at(.promoted, 2), true, false),
            (.advance, at(.progressing, 2), true, false),
            (.advance, at(.paused, 0), true, false),
            (.promote, at(.paused, 1), false, true),
            (.promote, at(.rolledBack, 1), true, false),
            (.rollback, at(.rolledBack, 1), false, false),
            (.pause, at(.paused, 1), false, false),
            (.pause, at(.promoted, 2), false, false),
            (.resume, at(.progressing, 1), false, false),
            (.start, at(.progressing, 0), false, false),
        ])
    func refused(command: RolloutCommand, from: RolloutPosition, decision: Bool, forced: Bool) {
        #expect(throws: RolloutError.self) {
            try Self.machine.next(command, from: from, hasDecision: decision, forced: forced)
        }
    }

    @Test("a rollout starts at its first step")
    func first() {
        #expect(Self.machine.first == RolloutPosition(phase: .progressing, step: 0, weight: 1))
    }
}
