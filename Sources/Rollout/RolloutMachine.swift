import Policy
import Vocabulary

/// Where a rollout stands: its phase, step and weight.
package struct RolloutPosition: Equatable, Sendable {
    package var phase: RolloutPhase
    /// Index into the policy's steps.
    package var step: Int
    /// Share of new conversations on the candidate, in percent.
    package var weight: Int

    /// Makes a position.
    package init(phase: RolloutPhase, step: Int, weight: Int) {
        self.phase = phase
        self.step = step
        self.weight = weight
    }
}

/// The rollout state machine (the Stages documentation, canary-deploy: "The rollout life cycle").
///
///     start → progressing(0) ─advance→ progressing(i+1) … ─promote→ promoted
///               │  ↑ resume                                   rollback from any live phase → rolled_back
///               └ pause → paused
package struct RolloutMachine: Sendable {
    /// The policy's steps.
    package var steps: [RolloutStep]

    /// Makes a machine over the policy's steps.
    package init(steps: [RolloutStep]) {
        self.steps = steps
    }

    /// The position `command` leads to from `current`, or the reason it cannot.
    ///
    /// `hasDecision` says whether a recorded monitor decision backs the command (`--analysis`), `forced`
    /// whether a person forced it.
    package func next(
        _ command: RolloutCommand, from current: RolloutPosition, hasDecision: Bool, forced: Bool
    ) throws(RolloutError) -> RolloutPosition {
        func refuse(_ reason: String) -> RolloutError {
            .impossibleTransition(command: command.rawValue, phase: current.phase.rawValue, reason: reason)
        }
        switch (command, current.phase) {
        case (.start, _):
            throw refuse("it has started already")
        case (.advance, .progressing):
            guard current.step + 1 < steps.count else {
                throw refuse("it is at its last step (\(current.weight) %); promote it")
            }
            return RolloutPosition(phase: .progressing, step: current.step + 1, weight: steps[current.step + 1].weight)
        case (.advance, .paused):
            throw refuse("resume it first")
        case (.promote, .progressing):
            return RolloutPosition(phase: .promoted, step: current.step, weight: 100)
        case (.promote, .paused):
            guard hasDecision, !forced else {
                throw refuse("a paused rollout is promoted only on a recorded monitor decision (--analysis)")
            }
            return RolloutPosition(phase: .promoted, step: current.step, weight: 100)
        case (.rollback, .progressing), (.rollback, .paused), (.rollback, .promoted):
            return RolloutPosition(phase: .rolledBack, step: current.step, weight: 0)
        case (.pause, .progressing):
            return RolloutPosition(phase: .paused, step: current.step, weight: current.weight)
        case (.resume, .paused):
            return RolloutPosition(phase: .progressing, step: current.step, weight: current.weight)
        case (.advance, .promoted), (.advance, .rolledBack), (.promote, .promoted), (.promote, .rolledBack),
            (.pause, .promoted), (.pause, .rolledBack), (.resume, .promoted), (.resume, .rolledBack):
            throw refuse("it has ended")
        case (.rollback, .rolledBack):
            throw refuse("it is rolled back already")
        case (.pause, .paused):
            throw refuse("it is paused already")
        case (.resume, .progressing):
            throw refuse("it is not paused")
        }
    }

    /// The position a new rollout starts at.
    package var first: RolloutPosition {
        RolloutPosition(phase: .progressing, step: 0, weight: steps.first?.weight ?? 0)
    }
}
