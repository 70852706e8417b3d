import Artifacts
import CIOutput
import Foundation
import Logging
import Notifications
import Policy
import PolicyFiles
import Rollout
import Routing
import RunLedger
import ToolContract
import ToolFiles
import Vocabulary

/// `canary-deploy`: moves a rollout through its steps, rendering and optionally applying the routing
/// configuration, and records every transition in the ledger.
package struct RolloutController {
    let logger: Logger

    /// A deployer that logs to `logger`.
    package init(logger: Logger) {
        self.logger = logger
    }

    /// Starts a canary for the candidate of a passing gate.
    package func start(
        gatePath: String, policyPath: String, router: String, force: Bool, reason: String?, context: DeployContext
    ) throws -> DeployOutcome {
        let routerKind = try RouterKind.named(router)
        let gateData = try InputFileReader.read(gatePath, json: true)
        let gate: GateResult
        do {
            gate = try ArtifactCoding.makeDecoder().decode(GateResult.self, from: gateData)
        } catch {
            throw RolloutError.invalidInput(path: gatePath, field: "schema", reason: "not a gate result (\(error))")
        }
        let loaded = try PolicyLoader.load(path: policyPath, agentName: nil)
        try validate(loaded.policy.rollout, path: policyPath)
        // Even --force does not start one agent's candidate under another agent's policy.
        guard gate.agent == loaded.policy.agent.name else {
            throw RolloutError.otherAgent(path: gatePath, gateAgent: gate.agent, policyAgent: loaded.policy.agent.name)
        }
        let gateSha = Digest.sha256(gateData)
        let recorder = context.stage.recorder(tool: "canary-deploy")
        let opened =
            try force
            ? Ledger(path: context.stage.ledgerPath, logger: logger)
            : Ledger.openExisting(at: context.stage.ledgerPath, logger: logger)
        guard let ledger = opened else {
            throw RolloutError.gateNotPassed(
                path: gatePath, reason: "the ledger \(Ledger.displayName(context.stage.ledgerPath)) does not exist")
        }
        return try ledger.withTurnLock { () throws -> DeployOutcome in
            let recorded = try ledger.gate(artifactSha256: gateSha)
            if !force {
                guard let recorded else {
                    throw RolloutError.gateNotPassed(
                        path: gatePath, reason: "no gate with SHA-256 \(gateSha) is recorded")
                }
                guard recorded.verdict == .pass else {
                    throw RolloutError.gateNotPassed(
                        path: gatePath, reason: "the recorded gate's verdict is \(recorded.verdict)")
                }
                guard recorded.isLatestOfRun else {
                    throw RolloutError.gateNotPassed(
                        path: gatePath,
                        reason:
                            "run \(recorded.runId) was gated again after this gate, and only its latest gate counts "
                            + "(verdict \(recorded.latestVerdictOfRun))")
                }
            } else if reason?.isEmpty ?? true {
                throw RolloutError.impossibleTransition(
                    command: "start", phase: "new", reason: "--force needs --reason")
            }
            let runId = recorded?.runId ?? gate.runId
            try recorder.rollForward(in: ledger, runId: runId)
            let now = ArtifactClock.iso8601(context.stage.now)
            let machine = RolloutMachine(steps: loaded.policy.rollout.steps)
            var section = loaded.policy.rollout
            section.notify = loaded.policy.notify
            let policyJSON = String(decoding: try ArtifactCoding.encode(section), as: UTF8.self)
            let state = RolloutRecord(
                runId: runId, router: routerKind.rawValue, mode: loaded.policy.rollout.mode,
                phase: machine.first.phase, stepIndex: 0, weight: machine.first.weight,
                policySha256: loaded.effectiveSha256, policyJSON: policyJSON, gateArtifactSha256: gateSha,
                startedAt: now,
                stepStartedAt: now, updatedAt: now, drainVersion: nil, drainDeadline: nil)
            if let existing = try ledger.rollout(runId: runId) {
                // A CI retry of the same start is harmless; anything else is a second start.
                let history = try ledger.transitions(runId: runId)
                guard history.count == 1, history.first?.command == .start, existing.router == state.router else {
                    throw RolloutError.impossibleTransition(
                        command: "start", phase: existing.phase.rawValue, reason: "run \(runId) has a rollout already")
                }
                guard let run = try ledger.run(id: runId) else { throw RolloutError.noRollout(runId: runId) }
                return try commit(
                    ledger: ledger, state: existing, run: run, transition: history.first, retryOf: history.first?.id,
                    context: context, recorder: recorder,
                    inputs: [InputFile(path: gatePath, sha256: gateSha, role: "gate")])
            }
            let transition = TransitionRecord(
                runId: runId, command: .start, fromPhase: nil, fromStep: nil, fromWeight: nil,
                toPhase: state.phase, toStep: 0, toWeight: state.weight,
                reason: reason ?? "gate passed", actor: force ? "forced" : context.person, forced: force,
                evidenceSha256: gateSha, idempotencyKey: "start|\(gateSha)", configSha256: "", applied: "not-requested",
                applyError: nil, createdAt: now)
            // A forced start may name a run the ledger has never seen: it is recorded with the rollout.
            let recordedRun = try ledger.run(id: runId)
            let run =
                recordedRun
                ?? RunRecord(
                    id: runId, agent: gate.agent, candidateVersion: gate.candidateVersion,
                    baselineVersion: gate.baselineVersion, createdAt: now, status: "canary")
            return try commit(
                ledger: ledger, state: state, run: run, transition: transition, retryOf: nil, context: context,
                recorder: recorder,
                inputs: [InputFile(path: gatePath, sha256: gateSha, role: "gate")] + (loaded.source.map { [$0] } ?? []),
                insertRun: recordedRun == nil)
        }
    }

    /// Carries out `command` on a run's rollout (the latest rollout when `runId` is `nil`).
    package func transition(
        _ command: RolloutCommand, runId: String?, analysisPath: String?, force: Bool, reason: String?,
        context: DeployContext
    ) throws -> DeployOutcome {
        let recorder = context.stage.recorder(tool: "canary-deploy")
        let ledger = try recorder.existingLedger { _ in RolloutError.noRollout(runId: runId) }
        return try ledger.withTurnLock { () throws -> DeployOutcome in
            guard let current = try (runId.map { try ledger.rollout(runId: $0) } ?? ledger.latestRollout()) else {
                throw RolloutError.noRollout(runId: runId)
            }
            guard let run = try ledger.run(id: current.runId) else {
                throw RolloutError.noRollout(runId: current.runId)
            }
            try recorder.rollForward(in: ledger, runId: current.runId)
            let rollout = try rolloutSection(current)
            let history = try ledger.transitions(runId: current.runId)
            var evidence: String?
            if let analysisPath {
                evidence = try acceptDecision(
                    analysisPath, command: command, rollout: current, history: history, ledger: ledger)
            }
            let justification = evidence ?? reason ?? command.rawValue
            let position = RolloutPosition(
                phase: current.phase, step: current.stepIndex,
                weight: current.weight)
            let isRetry =
                history.last.map {
                    $0.command == command && ($0.evidenceSha256 ?? $0.reason) == justification
                        && $0.toPhase == current.phase && $0.toWeight == current.weight
                } ?? false
            // Rolling back a rolled-back rollout is what a pipeline's "always roll back on failure" step does:
            // it succeeds and changes nothing.
            let alreadyRolledBack = command == .rollback && current.phase == .rolledBack
            if let last = history.last, isRetry || alreadyRolledBack {
                return try commit(
                    ledger: ledger, state: current, run: run, transition: last, retryOf: last.id, context: context,
                    recorder: recorder, inputs: [])
            }
            let next = try RolloutMachine(steps: rollout.steps).next(
                command, from: position, hasDecision: evidence != nil, forced: force)
            if let analysisPath, command == .advance || command == .promote, current.stepIndex < rollout.steps.count {
                // The monitor judges the sample; the step's minimum duration is the rollout's own to enforce.
                let minimum = rollout.steps[current.stepIndex].minDurationSeconds
                let started = ISO8601DateFormatter().date(from: current.stepStartedAt) ?? context.stage.now
                let elapsed = Int(context.stage.now.timeIntervalSince(started))
                if elapsed < minimum {
                    throw RolloutError.decisionRefused(
                        path: analysisPath,
                        reason:
                            "step \(current.stepIndex + 1) must last at least \(minimum) s; \(elapsed) s have passed "
                            + "(--force --reason overrides)")
                }
            }
            let now = ArtifactClock.iso8601(context.stage.now)
            var state = current
            state.phase = next.phase
            state.stepIndex = next.step
            state.weight = next.weight
            state.updatedAt = now
            if next.step != current.stepIndex || command == .resume { state.stepStartedAt = now }
            if next.phase == .promoted || next.phase == .rolledBack {
                state.drainVersion = next.phase == .promoted ? run.baselineVersion : run.candidateVersion
                state.drainDeadline = ArtifactClock.iso8601(
                    context.stage.now.addingTimeInterval(TimeInterval(rollout.drainTimeoutSeconds)))
            }
            let actor = evidence != nil ? "monitor" : force ? "forced" : context.person
            let transition = TransitionRecord(
                runId: current.runId, command: command, fromPhase: current.phase, fromStep: current.stepIndex,
                fromWeight: current.weight, toPhase: state.phase, toStep: state.stepIndex, toWeight: state.weight,
                reason: reason ?? (evidence != nil ? "monitor decision" : command.rawValue), actor: actor,
                forced: force,
                evidenceSha256: evidence, idempotencyKey: "\(command.rawValue)|\(justification)", configSha256: "",
                applied: "not-requested", applyError: nil, createdAt: now)
            var inputs: [InputFile] = []
            if let analysisPath, let evidence {
                inputs.append(InputFile(path: analysisPath, sha256: evidence, role: "analysis"))
            }
            let analysis = try analysisPath.flatMap { AnalysisEvidence.read(try InputFileReader.read($0, json: true)) }
            return try commit(
                ledger: ledger, state: state, run: run, transition: transition, retryOf: nil, context: context,
                recorder: recorder, inputs: inputs, analysis: analysis)
        }
    }

    /// Renders the current state again (dropping drain routes past their deadline) and applies it.
    package func reconcile(runId: String?, context: DeployContext) throws -> DeployOutcome {
        let recorder = context.stage.recorder(tool: "canary-deploy")
        let ledger = try recorder.existingLedger { _ in RolloutError.noRollout(runId: runId) }
        return try ledger.withTurnLock { () throws -> DeployOutcome in
            guard let current = try (runId.map { try ledger.rollout(runId: $0) } ?? ledger.latestRollout()),
                let run = try ledger.run(id: current.runId)
            else { throw RolloutError.noRollout(runId: runId) }
            try recorder.rollForward(in: ledger, runId: current.runId)
            return try commit(
                ledger: ledger, state: current, run: run, transition: nil, retryOf: nil, context: context,
                recorder: recorder, inputs: [])
        }
    }

    /// The rollout's state and history as `rollout.json` would hold them, without writing anything.
    package func status(runId: String?, context: DeployContext) throws -> RolloutArtifact {
        let recorder = context.stage.recorder(tool: "canary-deploy")
        let ledger = try recorder.existingLedger { _ in RolloutError.noRollout(runId: runId) }
        guard let current = try (runId.map { try ledger.rollout(runId: $0) } ?? ledger.latestRollout()),
            let run = try ledger.run(id: current.runId)
        else { throw RolloutError.noRollout(runId: runId) }
        // Writes nothing of its own, but finishes what an interrupted command left undone.
        try ledger.withTurnLock { try recorder.rollForward(in: ledger, runId: current.runId) }
        let rollout = try rolloutSection(current)
        let history = try ledger.transitions(runId: current.runId)
        let files = try render(current, rollout: rollout, run: run, transitions: history, now: context.stage.now)
        return try artifact(
            current, rollout: rollout, run: run, history: history, files: files,
            outDir: context.outDir,
            inputs: [], createdAt: current.updatedAt)
    }
}
