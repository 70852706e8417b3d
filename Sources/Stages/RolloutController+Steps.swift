import Artifacts
import CIOutput
import Foundation
import Logging
import Notifications
import Policy
import Rollout
import Routing
import RunLedger
import ToolContract
import ToolFiles
import Vocabulary

/// The steps every state-changing command shares: rendering, committing, the artifact.
extension RolloutController {
    /// Renders, applies and records the rollout's state through the command's `recorder`, then notifies.
    func commit(
        ledger: Ledger, state: RolloutRecord, run: RunRecord, transition: TransitionRecord?, retryOf: Int64?,
        context: DeployContext, recorder: StageRecorder, inputs: [InputFile], insertRun: Bool = false,
        analysis: AnalysisEvidence? = nil
    ) throws -> DeployOutcome {
        let rollout = try rolloutSection(state)
        var transitions = try ledger.transitions(runId: state.runId)
        if let transition, retryOf == nil { transitions.append(transition) }
        let files = try render(state, rollout: rollout, run: run, transitions: transitions, now: context.stage.now)
        let payload = files.filter { $0.validationKind != nil }.map(\.text)
            .joined(separator: files.allSatisfy { $0.name.hasSuffix(".yaml") } ? "---\n" : "\n")
        var record = transition
        record?.configSha256 = Digest.sha256(Data(payload.utf8))

        // Apply first: the ledger then says whether the configuration is in force.
        var applyFailure: RolloutError?
        if let command = context.apply {
            let result = try ApplyCommand.run(
                command, input: Data(payload.utf8), environment: context.stage.environment)
            if result.status == 0 {
                record?.applied = "applied"
            } else {
                record?.applied = "failed"
                record?.applyError = "exit \(result.status): \(result.stderr)"
                applyFailure = .applyFailed(command: command, status: result.status, stderr: result.stderr)
            }
        } else if retryOf != nil, let transition {
            // A retry without --apply keeps the earlier apply status.
            record?.applied = transition.applied
            record?.applyError = transition.applyError
        }

        var history = try ledger.transitions(runId: state.runId)
        if let record, retryOf == nil { history.append(record) }
        if let retryOf, let record, let index = history.firstIndex(where: { $0.id == retryOf }) {
            history[index] = record
        }
        let createdAt = history.last?.createdAt ?? state.updatedAt
        let artifact = try artifact(
            state, rollout: rollout, run: run, history: history, files: files, outDir: context.outDir, inputs: inputs,
            createdAt: transition == nil ? ArtifactClock.iso8601(context.stage.now) : createdAt)
        for file in files {
            let path = (context.outDir as NSString).appendingPathComponent(file.name)
            try recorder.stage(Data(file.text.utf8), at: path, kind: "routing-config")
        }
        let rolloutPath = (context.outDir as NSString).appendingPathComponent("rollout.json")
        try recorder.stage(try ArtifactCoding.encode(artifact), at: rolloutPath, kind: "rollout")
        let report = RolloutReport.ciReport(artifact, rolloutPath: rolloutPath)
        try recorder.stage(report, to: context.stage.ci)
        let exitStatus: Int32 = applyFailure == nil ? 0 : ExitStatus.unavailable.rawValue
        // A plain retry changes nothing: the ledger gets no new row. A retry that applies again records the
        // attempt and the new apply status.
        let transitionId = try recorder.commit(exitStatus: exitStatus) { stage -> Int64? in
            guard retryOf == nil || context.apply != nil else { return nil }
            return try ledger.recordTransition(
                record, state: state, stage: stage, outputs: recorder.outputs, retryOf: retryOf,
                newRun: insertRun ? run : nil)
        }
        var notifications: [DeliveryReport] = []
        if let record, retryOf == nil, let transitionId, let targets = rollout.notify, !targets.isEmpty {
            notifications = notify(
                record, id: transitionId, state: state, run: run, targets: targets, analysis: analysis,
                context: context, ledger: ledger)
        }
        var published = report
        published.add(notifications: notifications)
        let commands = try recorder.publish(published)
        if let applyFailure { throw applyFailure }
        return DeployOutcome(
            artifact: artifact, retried: retryOf != nil, workflowCommands: commands,
            notifications: notifications)
    }

    func rolloutSection(_ state: RolloutRecord) throws -> RolloutSection {
        try ArtifactCoding.makeDecoder().decode(RolloutSection.self, from: Data(state.policyJSON.utf8))
    }

    /// The routing configuration of `state`; `transitions` (oldest first) give the periods of new conversations
    /// a router that assigns conversations by their start time keeps (flagd).
    func render(
        _ state: RolloutRecord, rollout: RolloutSection, run: RunRecord, transitions: [TransitionRecord], now: Date
    ) throws -> [RenderedFile] {
        var drainDeadline = state.drainDeadline
        if let deadline = drainDeadline, deadline <= ArtifactClock.iso8601(now) { drainDeadline = nil }
        let draining: Arm? =
            state.drainVersion == nil ? nil : state.drainVersion == run.candidateVersion ? .candidate : .baseline
        var plan = RoutingPlan.make(
            agent: run.agent, baselineVersion: run.baselineVersion, candidateVersion: run.candidateVersion,
            rollout: rollout, mode: state.mode, weight: state.weight,
            phase: state.phase, drainingArm: drainDeadline == nil ? nil : draining, drainDeadline: drainDeadline)
        plan = RoutingPlan.withPeriods(plan, of: transitions, mode: state.mode, rollout: rollout, run: run)
        return try RouterKind.named(state.router).render(plan)
    }

    func artifact(
        _ state: RolloutRecord, rollout: RolloutSection, run: RunRecord, history: [TransitionRecord],
        files: [RenderedFile], outDir: String,
        inputs: [InputFile], createdAt: String
    ) throws -> RolloutArtifact {
        RolloutArtifact(
            ArtifactEnvelope(
                schema: RolloutArtifact.schemaID, runId: state.runId, createdAt: createdAt,
                tool: ToolInfo(name: "canary-deploy"), inputs: inputs),
            RolloutFields(
                agent: run.agent, baselineVersion: run.baselineVersion, candidateVersion: run.candidateVersion,
                router: state.router, mode: state.mode, phase: state.phase, step: state.stepIndex + 1,
                weight: state.weight, steps: rollout.steps, stepStartedAt: state.stepStartedAt,
                drainVersion: state.drainVersion, drainDeadline: state.drainDeadline,
                applied: history.last?.applied ?? "not-requested",
                history: history.map {
                    RolloutHistoryEntry(
                        command: $0.command, fromPhase: $0.fromPhase, fromWeight: $0.fromWeight, toPhase: $0.toPhase,
                        toWeight: $0.toWeight, reason: $0.reason, actor: $0.actor, forced: $0.forced,
                        evidenceSha256: $0.evidenceSha256, applied: $0.applied, at: $0.createdAt)
                },
                files: files.map {
                    RenderedFileEntry(
                        path: (outDir as NSString).appendingPathComponent($0.name),
                        sha256: Digest.sha256(Data($0.text.utf8)))
                }))
    }

    /// Accepts a monitor analysis by its recorded SHA-256 and checks that its decision allows `command`.
    /// The SHA-256 of the analysis at `path` when it may justify `command` on `rollout`: a recorded look of
    /// the run whose decision allows the command, computed at the rollout's current step and weight, the
    /// run's latest look, and not yet the evidence of another transition (its own transition's retry aside).
    func acceptDecision(
        _ path: String, command: RolloutCommand, rollout: RolloutRecord, history: [TransitionRecord], ledger: Ledger
    ) throws -> String {
        let runId = rollout.runId
        let data = try InputFileReader.read(path, json: true)
        let sha = Digest.sha256(data)
        guard try ledger.hasArtifact(kind: "analysis", sha256: sha, runId: runId) else {
            throw RolloutError.decisionRefused(
                path: path, reason: "no analysis with SHA-256 \(sha) is recorded for run \(runId)")
        }
        struct Analysis: Decodable { var decision: Decision }
        guard let decision = try? ArtifactCoding.makeDecoder().decode(Analysis.self, from: data).decision else {
            throw RolloutError.invalidInput(
                path: path, field: "decision",
                reason: "missing or not one of \(Decision.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let allowed: [RolloutCommand: Set<Decision>] = [.advance: [.promote], .promote: [.promote]]
        guard allowed[command]?.contains(decision) ?? true else {
            throw RolloutError.decisionRefused(
                path: path, reason: "the monitor decided '\(decision)', which does not allow \(command.rawValue)")
        }
        // The same command with the same evidence again is a retry of the transition it drove.
        if let last = history.last, last.command == command, last.evidenceSha256 == sha { return sha }
        if let used = history.first(where: { $0.evidenceSha256 == sha }) {
            throw RolloutError.decisionRefused(
                path: path,
                reason: "this analysis was already the evidence of the \(used.command) to \(used.toWeight) %")
        }
        let looks = try ledger.looks(runId: runId)
        guard let look = looks.last(where: { $0.analysisSha256 == sha }) else {
            throw RolloutError.decisionRefused(path: path, reason: "no look of run \(runId) wrote this analysis")
        }
        if let latest = looks.last, latest.id != look.id {
            throw RolloutError.decisionRefused(
                path: path,
                reason: "look \(latest.id) came after this one (look \(look.id)) and decided \(latest.decision); only "
                    + "the run's latest look is evidence")
        }
        guard look.stepIndex == rollout.stepIndex, look.weight == rollout.weight else {
            throw RolloutError.decisionRefused(
                path: path,
                reason: "the look judged step \((look.stepIndex ?? -1) + 1) at \(look.weight ?? 0) %, but the rollout "
                    + "is at step \(rollout.stepIndex + 1), \(rollout.weight) %")
        }
        return sha
    }

    func validate(_ rollout: RolloutSection, path: String) throws {
        guard !rollout.steps.isEmpty else {
            throw RolloutError.invalidPolicy(path: path, reason: "rollout.steps is empty")
        }
        if rollout.mode == .ab, rollout.abMatches.isEmpty {
            throw RolloutError.invalidPolicy(path: path, reason: "mode ab needs rollout.ab_match rules")
        }
    }
}

extension RoutingPlan {
    /// `plan` with the periods of new conversations `transitions` started: each transition's phase and weight,
    /// from its time, consecutive equal periods merged.
    static func withPeriods(
        _ plan: RoutingPlan, of transitions: [TransitionRecord], mode: RolloutMode, rollout: RolloutSection,
        run: RunRecord
    ) -> RoutingPlan {
        var plan = plan
        let formatter = ISO8601DateFormatter()
        for transition in transitions {
            guard let time = formatter.date(from: transition.createdAt) else { continue }
            let conversations = RoutingPlan.make(
                agent: run.agent, baselineVersion: run.baselineVersion, candidateVersion: run.candidateVersion,
                rollout: rollout, mode: mode, weight: transition.toWeight, phase: transition.toPhase,
                drainingArm: nil, drainDeadline: nil
            ).newConversations
            if plan.periods.last?.newConversations == conversations { continue }
            plan.periods.append(
                ConversationPeriod(startedAt: Int(time.timeIntervalSince1970), newConversations: conversations))
        }
        return plan
    }
}
