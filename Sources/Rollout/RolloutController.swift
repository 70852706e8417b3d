import Artifacts
import CIOutput
import Foundation
import Ledger
import Logging
import Notifications
import Policy
import Routing

/// Where a state-changing command writes and how it applies the configuration.
package struct DeployContext: Sendable {
    /// The output directory (`rollout.json` and the rendered configuration).
    package var outDir: String
    /// A shell command that receives the rendered configuration on stdin (`kubectl apply -f -`).
    package var apply: String?
    package var ci: CIDestinations
    package var ledgerPath: String
    package var arguments: [String]
    package var environment: [String: String]
    /// The whole time one notification may take, retries included (`--notify-timeout`).
    package var notifyTimeout: TimeInterval = 10
    /// The report a notification links to (`--report-url`).
    package var reportURL: String?

    /// Makes a context.
    package init(
        outDir: String, apply: String?, ci: CIDestinations, ledgerPath: String, arguments: [String],
        environment: [String: String]
    ) {
        self.outDir = outDir
        self.apply = apply
        self.ci = ci
        self.ledgerPath = ledgerPath
        self.arguments = arguments
        self.environment = environment
    }

    var now: Date { ArtifactClock.now(environment: environment) }

    /// The person running the command: `$AGENT_CANARY_ACTOR`, `$GITHUB_ACTOR`, `$GITLAB_USER_LOGIN`, `$USER`.
    var person: String {
        for key in ["AGENT_CANARY_ACTOR", "GITHUB_ACTOR", "GITLAB_USER_LOGIN", "BUILD_USER_ID", "USER"] {
            if let value = environment[key], !value.isEmpty { return value }
        }
        return "person"
    }
}

/// What a state-changing command produced.
package struct DeployOutcome: Sendable {
    /// The new `rollout.json`.
    package var artifact: RolloutArtifact
    /// Whether the command was recognised as a retry of the last transition.
    package var retried: Bool
    /// GitHub workflow commands to print.
    package var workflowCommands: [String]
    /// How each notification of the transition went, one report per target.
    package var notifications: [DeliveryReport] = []
}

/// `canary-deploy`: moves a rollout through its steps, rendering and optionally applying the routing
/// configuration, and records every transition in the ledger.
package struct CanaryDeploy {
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
        let opened =
            try force
            ? Ledger(path: context.ledgerPath, logger: logger)
            : Ledger.openExisting(at: context.ledgerPath, logger: logger)
        guard let ledger = opened else {
            throw RolloutError.gateNotPassed(
                path: gatePath, reason: "the ledger \(Ledger.displayName(context.ledgerPath)) does not exist")
        }
        return try ledger.withTurnLock { () throws -> DeployOutcome in
            let recorded = try ledger.gate(artifactSha256: gateSha)
            if !force {
                guard let recorded else {
                    throw RolloutError.gateNotPassed(
                        path: gatePath, reason: "no gate with SHA-256 \(gateSha) is recorded")
                }
                guard recorded.verdict == "pass" else {
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
            try rollForward(ledger: ledger, runId: runId)
            let now = ArtifactClock.iso8601(context.now)
            let machine = RolloutMachine(steps: loaded.policy.rollout.steps)
            var section = loaded.policy.rollout
            section.notify = loaded.policy.notify
            let policyJSON = String(decoding: try ArtifactCoding.encode(section), as: UTF8.self)
            let state = RolloutRecord(
                runId: runId, router: routerKind.rawValue, mode: loaded.policy.rollout.mode.rawValue,
                phase: machine.first.phase.rawValue, stepIndex: 0, weight: machine.first.weight,
                policySha256: loaded.effectiveSha256, policyJSON: policyJSON, gateArtifactSha256: gateSha,
                startedAt: now,
                stepStartedAt: now, updatedAt: now, drainVersion: nil, drainDeadline: nil)
            if let existing = try ledger.rollout(runId: runId) {
                // A CI retry of the same start is harmless; anything else is a second start.
                let history = try ledger.transitions(runId: runId)
                guard history.count == 1, history.first?.command == "start", existing.router == state.router else {
                    throw RolloutError.impossibleTransition(
                        command: "start", phase: existing.phase, reason: "run \(runId) has a rollout already")
                }
                guard let run = try ledger.run(id: runId) else { throw RolloutError.noRollout(runId: runId) }
                return try commit(
                    ledger: ledger, state: existing, run: run, transition: history.first, retryOf: history.first?.id,
                    context: context, inputs: [InputFile(path: gatePath, sha256: gateSha, role: "gate")])
            }
            let transition = TransitionRecord(
                runId: runId, command: "start", fromPhase: nil, fromStep: nil, fromWeight: nil,
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
                inputs: [InputFile(path: gatePath, sha256: gateSha, role: "gate")] + (loaded.source.map { [$0] } ?? []),
                insertRun: recordedRun == nil)
        }
    }

    /// Carries out `command` on a run's rollout (the latest rollout when `runId` is `nil`).
    package func transition(
        _ command: RolloutCommand, runId: String?, analysisPath: String?, force: Bool, reason: String?,
        context: DeployContext
    ) throws -> DeployOutcome {
        guard let ledger = try Ledger.openExisting(at: context.ledgerPath, logger: logger) else {
            throw RolloutError.noRollout(runId: runId)
        }
        return try ledger.withTurnLock { () throws -> DeployOutcome in
            guard let current = try (runId.map { try ledger.rollout(runId: $0) } ?? ledger.latestRollout()) else {
                throw RolloutError.noRollout(runId: runId)
            }
            guard let run = try ledger.run(id: current.runId) else {
                throw RolloutError.noRollout(runId: current.runId)
            }
            try rollForward(ledger: ledger, runId: current.runId)
            let rollout = try rolloutSection(current)
            let history = try ledger.transitions(runId: current.runId)
            var evidence: String?
            if let analysisPath {
                evidence = try acceptDecision(
                    analysisPath, command: command, rollout: current, history: history, ledger: ledger)
            }
            let justification = evidence ?? reason ?? command.rawValue
            let position = RolloutPosition(
                phase: RolloutPhase(rawValue: current.phase) ?? .progressing, step: current.stepIndex,
                weight: current.weight)
            let isRetry =
                history.last.map {
                    $0.command == command.rawValue && ($0.evidenceSha256 ?? $0.reason) == justification
                        && $0.toPhase == current.phase && $0.toWeight == current.weight
                } ?? false
            // Rolling back a rolled-back rollout is what a pipeline's "always roll back on failure" step does:
            // it succeeds and changes nothing.
            let alreadyRolledBack = command == .rollback && current.phase == RolloutPhase.rolledBack.rawValue
            if let last = history.last, isRetry || alreadyRolledBack {
                return try commit(
                    ledger: ledger, state: current, run: run, transition: last, retryOf: last.id, context: context,
                    inputs: [])
            }
            let next = try RolloutMachine(steps: rollout.steps).next(
                command, from: position, hasDecision: evidence != nil, forced: force)
            if let analysisPath, command == .advance || command == .promote, current.stepIndex < rollout.steps.count {
                // The monitor judges the sample; the step's minimum duration is the rollout's own to enforce.
                let minimum = rollout.steps[current.stepIndex].minDurationSeconds
                let started = ISO8601DateFormatter().date(from: current.stepStartedAt) ?? context.now
                let elapsed = Int(context.now.timeIntervalSince(started))
                if elapsed < minimum {
                    throw RolloutError.decisionRefused(
                        path: analysisPath,
                        reason:
                            "step \(current.stepIndex + 1) must last at least \(minimum) s; \(elapsed) s have passed "
                            + "(--force --reason overrides)")
                }
            }
            let now = ArtifactClock.iso8601(context.now)
            var state = current
            state.phase = next.phase.rawValue
            state.stepIndex = next.step
            state.weight = next.weight
            state.updatedAt = now
            if next.step != current.stepIndex || command == .resume { state.stepStartedAt = now }
            if next.phase == .promoted || next.phase == .rolledBack {
                state.drainVersion = next.phase == .promoted ? run.baselineVersion : run.candidateVersion
                state.drainDeadline = ArtifactClock.iso8601(
                    context.now.addingTimeInterval(TimeInterval(rollout.drainTimeoutSeconds)))
            }
            let actor = evidence != nil ? "monitor" : force ? "forced" : context.person
            let transition = TransitionRecord(
                runId: current.runId, command: command.rawValue, fromPhase: current.phase, fromStep: current.stepIndex,
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
                inputs: inputs, analysis: analysis)
        }
    }

    /// Renders the current state again (dropping drain routes past their deadline) and applies it.
    package func reconcile(runId: String?, context: DeployContext) throws -> DeployOutcome {
        guard let ledger = try Ledger.openExisting(at: context.ledgerPath, logger: logger) else {
            throw RolloutError.noRollout(runId: runId)
        }
        return try ledger.withTurnLock { () throws -> DeployOutcome in
            guard let current = try (runId.map { try ledger.rollout(runId: $0) } ?? ledger.latestRollout()),
                let run = try ledger.run(id: current.runId)
            else { throw RolloutError.noRollout(runId: runId) }
            try rollForward(ledger: ledger, runId: current.runId)
            return try commit(
                ledger: ledger, state: current, run: run, transition: nil, retryOf: nil, context: context, inputs: [])
        }
    }

    /// The rollout's state and history as `rollout.json` would hold them, without writing anything.
    package func status(runId: String?, context: DeployContext) throws -> RolloutArtifact {
        guard let ledger = try Ledger.openExisting(at: context.ledgerPath, logger: logger) else {
            throw RolloutError.noRollout(runId: runId)
        }
        guard let current = try (runId.map { try ledger.rollout(runId: $0) } ?? ledger.latestRollout()),
            let run = try ledger.run(id: current.runId)
        else { throw RolloutError.noRollout(runId: runId) }
        // Writes nothing of its own, but finishes what an interrupted command left undone.
        try ledger.withTurnLock { try rollForward(ledger: ledger, runId: current.runId) }
        let rollout = try rolloutSection(current)
        let files = try render(current, rollout: rollout, run: run, now: context.now)
        return try artifact(
            current, rollout: rollout, run: run, history: ledger.transitions(runId: current.runId), files: files,
            outDir: context.outDir,
            inputs: [], createdAt: current.updatedAt)
    }

    // MARK: - Shared steps

    /// Finishes the renames a killed command left undone, so that this one starts from outputs that match the
    /// ledger (under the turn lock: no other command of this ledger is writing them).
    private func rollForward(ledger: Ledger, runId: String) throws {
        for path in try ledger.rollForwardOutputs(runId: runId, tool: "canary-deploy") {
            logger.warning("brought \(path) forward to what the ledger recorded (a previous command was interrupted)")
        }
    }

    private func commit(
        ledger: Ledger, state: RolloutRecord, run: RunRecord, transition: TransitionRecord?, retryOf: Int64?,
        context: DeployContext, inputs: [InputFile], insertRun: Bool = false, analysis: AnalysisEvidence? = nil
    ) throws -> DeployOutcome {
        let rollout = try rolloutSection(state)
        let files = try render(state, rollout: rollout, run: run, now: context.now)
        let payload = files.filter { $0.validationKind != nil }.map(\.text)
            .joined(separator: files.allSatisfy { $0.name.hasSuffix(".yaml") } ? "---\n" : "\n")
        var record = transition
        record?.configSha256 = Digest.sha256(Data(payload.utf8))

        // Apply first: the ledger then says whether the configuration is in force.
        var applyFailure: RolloutError?
        if let command = context.apply {
            let result = try ApplyCommand.run(command, input: Data(payload.utf8), environment: context.environment)
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
            createdAt: transition == nil ? ArtifactClock.iso8601(context.now) : createdAt)
        let artifactData = try ArtifactCoding.encode(artifact)
        let staged = StagedFiles()
        let rolloutPath = (context.outDir as NSString).appendingPathComponent("rollout.json")
        var outputs: [OutputFile] = []
        for file in files {
            let path = (context.outDir as NSString).appendingPathComponent(file.name)
            try staged.stage(Data(file.text.utf8), at: path)
            outputs.append(OutputFile(kind: "routing-config", path: path, sha256: Digest.sha256(Data(file.text.utf8))))
        }
        try staged.stage(artifactData, at: rolloutPath)
        outputs.append(OutputFile(kind: "rollout", path: rolloutPath, sha256: Digest.sha256(artifactData)))
        let report = RolloutReport.ciReport(artifact, rolloutPath: rolloutPath)
        let publisher = CIPublisher(environment: context.environment)
        for file in try publisher.stageFiles(report, to: context.ci, in: staged) {
            outputs.append(OutputFile(kind: file.kind, path: file.path, sha256: Digest.sha256(file.data)))
        }
        let exitStatus: Int32 = applyFailure == nil ? 0 : ExitStatus.unavailable.rawValue
        // A plain retry changes nothing: the ledger gets no new row. A retry that applies again records the
        // attempt and the new apply status.
        var transitionId: Int64?
        if retryOf == nil || context.apply != nil {
            transitionId = try recordInLedger()
        }
        func recordInLedger() throws -> Int64? {
            try ledger.recordTransition(
                record, state: state,
                stage: StageInvocation(
                    tool: "canary-deploy", arguments: context.arguments, startedAt: ArtifactClock.iso8601(context.now),
                    endedAt: ArtifactClock.iso8601(context.now), exitStatus: exitStatus),
                outputs: outputs, retryOf: retryOf, newRun: insertRun ? run : nil)
        }
        try staged.commit()
        var notifications: [DeliveryReport] = []
        if let record, retryOf == nil, let transitionId, let targets = rollout.notify, !targets.isEmpty {
            notifications = notify(
                record, id: transitionId, state: state, run: run, targets: targets, analysis: analysis,
                context: context, ledger: ledger)
        }
        var published = report
        published.add(notifications: notifications)
        let commands = try publisher.publishToGitHub(published)
        if let applyFailure { throw applyFailure }
        return DeployOutcome(
            artifact: artifact, retried: retryOf != nil, workflowCommands: commands,
            notifications: notifications)
    }

    func rolloutSection(_ state: RolloutRecord) throws -> RolloutSection {
        try ArtifactCoding.makeDecoder().decode(RolloutSection.self, from: Data(state.policyJSON.utf8))
    }

    func render(_ state: RolloutRecord, rollout: RolloutSection, run: RunRecord, now: Date) throws -> [RenderedFile] {
        var drainDeadline = state.drainDeadline
        if let deadline = drainDeadline, deadline <= ArtifactClock.iso8601(now) { drainDeadline = nil }
        let draining: Arm? =
            state.drainVersion == nil ? nil : state.drainVersion == run.candidateVersion ? .candidate : .baseline
        let plan = RoutingPlan.make(
            agent: run.agent, baselineVersion: run.baselineVersion, candidateVersion: run.candidateVersion,
            rollout: rollout, mode: RolloutMode(rawValue: state.mode) ?? .canary, weight: state.weight,
            phase: state.phase, drainingArm: drainDeadline == nil ? nil : draining, drainDeadline: drainDeadline)
        return try RouterKind.named(state.router).render(plan)
    }

    func artifact(
        _ state: RolloutRecord, rollout: RolloutSection, run: RunRecord, history: [TransitionRecord],
        files: [RenderedFile], outDir: String,
        inputs: [InputFile], createdAt: String
    ) throws -> RolloutArtifact {
        RolloutArtifact(
            envelope: ArtifactEnvelope(
                schema: RolloutArtifact.schemaID, runId: state.runId, createdAt: createdAt,
                tool: ToolInfo(name: "canary-deploy"), inputs: inputs),
            agent: run.agent, baselineVersion: run.baselineVersion, candidateVersion: run.candidateVersion,
            router: state.router, mode: state.mode, phase: state.phase, step: state.stepIndex + 1, weight: state.weight,
            steps: rollout.steps,
            stepStartedAt: state.stepStartedAt, drainVersion: state.drainVersion, drainDeadline: state.drainDeadline,
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
            })
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
        struct Analysis: Decodable { var decision: String }
        guard let decision = try? ArtifactCoding.makeDecoder().decode(Analysis.self, from: data).decision else {
            throw RolloutError.invalidInput(path: path, field: "decision", reason: "missing or not a string")
        }
        let allowed: [RolloutCommand: Set<String>] = [.advance: ["promote"], .promote: ["promote"]]
        guard allowed[command]?.contains(decision) ?? true else {
            throw RolloutError.decisionRefused(
                path: path, reason: "the monitor decided '\(decision)', which does not allow \(command.rawValue)")
        }
        // The same command with the same evidence again is a retry of the transition it drove.
        if let last = history.last, last.command == command.rawValue, last.evidenceSha256 == sha { return sha }
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
