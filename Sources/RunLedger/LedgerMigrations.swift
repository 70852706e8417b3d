import Foundation

/// One of the ledger's named, append-only migrations.
struct LedgerMigration: Sendable {
    /// The name recorded in the migrations table once it is applied.
    let identifier: String
    /// The SQL, as SQLite runs it (and as a data team reads it in `sqlite3`).
    let sql: String
    /// What PostgreSQL adds after the translated SQL (the ordering columns SQLite's rowid gives for free).
    var postgresAdditions = ""

    /// The migration's SQL in `dialect`.
    func sql(for dialect: SQLDialect) -> String {
        switch dialect {
        case .sqlite: sql
        case .postgres:
            LedgerMigrations.postgresSchema(sql) + (postgresAdditions.isEmpty ? "" : "\n" + postgresAdditions)
        }
    }
}

/// The ledger's schema, as named, append-only migrations, the same on both stores.
///
/// A released migration is never edited: later stages add their own tables in new migrations (rollout
/// transitions, monitor looks, retained telemetry, exports). Migrations are written in SQL so the schema a
/// data team reads in `sqlite3` is exactly what is here; PostgreSQL runs the same statements with its own names
/// for the types (``postgresSchema(_:)``).
enum LedgerMigrations {
    /// The table that records the applied migrations (the name GRDB's migrator gave it in the first releases,
    /// kept so that every ledger opens; the same in PostgreSQL).
    static let table = "grdb_migrations"

    static let all: [LedgerMigration] = [
        LedgerMigration(
            identifier: "v1-runs-stages-artifacts-gates",
            sql: """
                CREATE TABLE runs (
                    id TEXT PRIMARY KEY NOT NULL,
                    agent TEXT NOT NULL,
                    candidate_version TEXT NOT NULL,
                    baseline_version TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    status TEXT NOT NULL
                );
                CREATE INDEX runs_by_agent ON runs(agent, created_at);

                CREATE TABLE stages (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    run_id TEXT NOT NULL REFERENCES runs(id),
                    tool TEXT NOT NULL,
                    tool_version TEXT NOT NULL,
                    arguments TEXT NOT NULL,
                    started_at TEXT NOT NULL,
                    ended_at TEXT NOT NULL,
                    exit_status INTEGER NOT NULL
                );
                CREATE INDEX stages_by_run ON stages(run_id);

                CREATE TABLE artifacts (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    run_id TEXT NOT NULL REFERENCES runs(id),
                    stage_id INTEGER NOT NULL REFERENCES stages(id),
                    kind TEXT NOT NULL,
                    path TEXT NOT NULL,
                    sha256 TEXT NOT NULL,
                    created_at TEXT NOT NULL
                );
                CREATE INDEX artifacts_by_sha256 ON artifacts(sha256);
                CREATE INDEX artifacts_by_run ON artifacts(run_id);

                -- Benchmark results by the SHA-256 of the file they came from; content holds the attempts
                -- as native JSONL with the fields a gate reads, whatever the original format was.
                CREATE TABLE benchmark_suites (
                    sha256 TEXT PRIMARY KEY NOT NULL,
                    format TEXT NOT NULL,
                    byte_count INTEGER NOT NULL,
                    content BLOB NOT NULL
                );

                CREATE TABLE gate_results (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    run_id TEXT NOT NULL REFERENCES runs(id),
                    stage_id INTEGER NOT NULL REFERENCES stages(id),
                    artifact_id INTEGER REFERENCES artifacts(id),
                    agent TEXT NOT NULL,
                    candidate_version TEXT NOT NULL,
                    baseline_version TEXT NOT NULL,
                    verdict TEXT NOT NULL CHECK (verdict IN ('pass', 'fail', 'inconclusive')),
                    blocking INTEGER NOT NULL,
                    candidate_suite TEXT NOT NULL REFERENCES benchmark_suites(sha256),
                    baseline_suite TEXT NOT NULL REFERENCES benchmark_suites(sha256),
                    policy_sha256 TEXT NOT NULL,
                    matched_tasks INTEGER NOT NULL,
                    unmatched_tasks INTEGER NOT NULL,
                    baseline_infra_errors INTEGER NOT NULL,
                    candidate_infra_errors INTEGER NOT NULL,
                    confidence REAL NOT NULL,
                    bootstrap_resamples INTEGER NOT NULL,
                    seed INTEGER NOT NULL,
                    reasons TEXT NOT NULL,
                    created_at TEXT NOT NULL
                );
                CREATE INDEX gate_results_by_agent ON gate_results(agent, id);

                CREATE TABLE gate_metrics (
                    gate_id INTEGER NOT NULL REFERENCES gate_results(id) ON DELETE CASCADE,
                    name TEXT NOT NULL,
                    category TEXT NOT NULL DEFAULT '',
                    baseline REAL,
                    candidate REAL,
                    difference REAL,
                    ratio REAL,
                    ci_low REAL,
                    ci_high REAL,
                    p_value REAL,
                    threshold REAL,
                    status TEXT NOT NULL,
                    method TEXT NOT NULL,
                    tasks_needed INTEGER,
                    PRIMARY KEY (gate_id, name, category)
                );

                -- One row per run: what it is, where it stands, and its latest gate.
                CREATE VIEW run_summary AS
                SELECT r.id AS run_id, r.agent, r.candidate_version, r.baseline_version, r.status,
                       r.created_at,
                       (SELECT g.verdict FROM gate_results g WHERE g.run_id = r.id
                        ORDER BY g.id DESC LIMIT 1) AS gate_verdict,
                       (SELECT COUNT(*) FROM stages s WHERE s.run_id = r.id) AS stage_count,
                       (SELECT MAX(s.ended_at) FROM stages s WHERE s.run_id = r.id) AS last_activity
                FROM runs r;

                -- Every gate with its headline metrics, newest first per agent.
                CREATE VIEW gate_history AS
                SELECT g.id AS gate_id, g.run_id, g.agent, g.candidate_version, g.baseline_version,
                       g.verdict, g.blocking, g.matched_tasks, g.created_at,
                       (SELECT m.difference FROM gate_metrics m
                        WHERE m.gate_id = g.id AND m.name = 'success_rate' AND m.category = '')
                           AS success_rate_difference,
                       (SELECT m.ratio FROM gate_metrics m
                        WHERE m.gate_id = g.id AND m.name = 'cost_per_task' AND m.category = '')
                           AS cost_ratio,
                       a.path AS artifact_path, a.sha256 AS artifact_sha256
                FROM gate_results g LEFT JOIN artifacts a ON a.id = g.artifact_id;
                """),
        LedgerMigration(
            identifier: "v2-rollouts",
            sql: """
                -- The current state of each run's rollout (one row per run that started a canary).
                CREATE TABLE rollouts (
                    run_id TEXT PRIMARY KEY NOT NULL REFERENCES runs(id),
                    router TEXT NOT NULL,
                    mode TEXT NOT NULL,
                    phase TEXT NOT NULL CHECK (phase IN ('progressing', 'paused', 'promoted', 'rolled_back')),
                    step_index INTEGER NOT NULL,
                    weight INTEGER NOT NULL,
                    policy_sha256 TEXT NOT NULL,
                    policy_json TEXT NOT NULL,
                    gate_artifact_sha256 TEXT,
                    started_at TEXT NOT NULL,
                    step_started_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL,
                    drain_version TEXT,
                    drain_deadline TEXT
                );

                -- Every transition: from and to, why, who, on what evidence, and whether it was applied.
                CREATE TABLE rollout_transitions (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    run_id TEXT NOT NULL REFERENCES runs(id),
                    stage_id INTEGER NOT NULL REFERENCES stages(id),
                    command TEXT NOT NULL,
                    from_phase TEXT,
                    from_step INTEGER,
                    from_weight INTEGER,
                    to_phase TEXT NOT NULL,
                    to_step INTEGER NOT NULL,
                    to_weight INTEGER NOT NULL,
                    reason TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    forced INTEGER NOT NULL,
                    evidence_sha256 TEXT,
                    idempotency_key TEXT NOT NULL,
                    config_sha256 TEXT NOT NULL,
                    applied TEXT NOT NULL CHECK (applied IN ('not-requested', 'applied', 'failed')),
                    apply_error TEXT,
                    created_at TEXT NOT NULL
                );
                CREATE INDEX rollout_transitions_by_run ON rollout_transitions(run_id, id);

                CREATE VIEW rollout_history AS
                SELECT t.run_id, r.agent, r.candidate_version, t.id AS transition_id, t.command,
                       t.from_phase, t.from_weight, t.to_phase, t.to_weight, t.actor, t.forced, t.reason,
                       t.evidence_sha256, t.applied, t.created_at
                FROM rollout_transitions t JOIN runs r ON r.id = t.run_id;
                """,
            postgresAdditions: """
                -- PostgreSQL has no rowid: seq orders rollouts updated in the same instant as SQLite's rowid does.
                ALTER TABLE rollouts ADD COLUMN seq BIGINT GENERATED ALWAYS AS IDENTITY;
                """),
        LedgerMigration(
            identifier: "v3-monitor",
            sql: """
                -- Every monitor look: the decision and everything it was computed from (inputs_json holds
                -- the counts and sufficient statistics, the monitor policy and the method's parameters), so
                -- `monitor rejudge` recomputes it. run_id is NULL for a look with explicit versions.
                CREATE TABLE monitor_looks (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    run_id TEXT REFERENCES runs(id),
                    stage_id INTEGER REFERENCES stages(id),
                    agent TEXT NOT NULL,
                    baseline_version TEXT NOT NULL,
                    candidate_version TEXT NOT NULL,
                    mode TEXT NOT NULL,
                    step_index INTEGER,
                    weight INTEGER,
                    decision TEXT NOT NULL CHECK (decision IN ('promote', 'continue', 'hold', 'rollback')),
                    policy_sha256 TEXT NOT NULL,
                    inputs_json TEXT NOT NULL,
                    judgement_json TEXT NOT NULL,
                    analysis_sha256 TEXT NOT NULL,
                    created_at TEXT NOT NULL
                );
                CREATE INDEX monitor_looks_by_run ON monitor_looks(run_id, id);

                -- One row per metric of a look, for SQL queries over time.
                CREATE TABLE monitor_metrics (
                    look_id INTEGER NOT NULL REFERENCES monitor_looks(id),
                    name TEXT NOT NULL,
                    role TEXT NOT NULL,
                    status TEXT NOT NULL,
                    baseline_value REAL,
                    candidate_value REAL,
                    baseline_n INTEGER NOT NULL,
                    candidate_n INTEGER NOT NULL,
                    difference REAL,
                    ratio REAL,
                    ci_low REAL,
                    ci_high REAL,
                    method TEXT NOT NULL,
                    PRIMARY KEY (look_id, name)
                );

                -- How far each telemetry file has been read for a run: a file that grew is read from here.
                CREATE TABLE telemetry_sources (
                    run_id TEXT NOT NULL REFERENCES runs(id),
                    source TEXT NOT NULL,
                    identity TEXT NOT NULL,
                    offset INTEGER NOT NULL,
                    line INTEGER NOT NULL,
                    updated_at TEXT NOT NULL,
                    PRIMARY KEY (run_id, source)
                );

                -- The telemetry of a run's canary, one row per task (keyed by event id or span id, so
                -- repeated input counts once). Content (input, output) is kept for failed and rogue tasks
                -- and for a bounded random sample of successes (sample_key: the smallest keys are kept).
                CREATE TABLE telemetry_tasks (
                    run_id TEXT NOT NULL REFERENCES runs(id),
                    event_key TEXT NOT NULL,
                    look_id INTEGER NOT NULL REFERENCES monitor_looks(id),
                    arm TEXT NOT NULL CHECK (arm IN ('baseline', 'candidate')),
                    version TEXT NOT NULL,
                    step_index INTEGER,
                    conversation_id TEXT NOT NULL,
                    task_id TEXT NOT NULL,
                    request_id TEXT,
                    trace_id TEXT,
                    span_id TEXT,
                    ts REAL NOT NULL,
                    outcome TEXT NOT NULL,
                    cost_usd REAL,
                    cost_source TEXT,
                    latency_ms REAL,
                    input_tokens REAL,
                    output_tokens REAL,
                    steps REAL,
                    tool_calls TEXT NOT NULL,
                    unauthorized INTEGER NOT NULL,
                    category TEXT,
                    judge_score REAL,
                    sample_key REAL NOT NULL,
                    sampled INTEGER NOT NULL,
                    input TEXT,
                    output TEXT,
                    PRIMARY KEY (run_id, event_key)
                );
                CREATE INDEX telemetry_tasks_by_task ON telemetry_tasks(run_id, task_id);

                CREATE TABLE telemetry_feedback (
                    run_id TEXT NOT NULL REFERENCES runs(id),
                    event_key TEXT NOT NULL,
                    look_id INTEGER NOT NULL REFERENCES monitor_looks(id),
                    arm TEXT NOT NULL,
                    version TEXT NOT NULL,
                    task_id TEXT,
                    conversation_id TEXT,
                    ts REAL NOT NULL,
                    rating INTEGER,
                    thumbs_up INTEGER,
                    comment TEXT,
                    PRIMARY KEY (run_id, event_key)
                );

                CREATE TABLE telemetry_violations (
                    run_id TEXT NOT NULL REFERENCES runs(id),
                    event_key TEXT NOT NULL,
                    look_id INTEGER NOT NULL REFERENCES monitor_looks(id),
                    arm TEXT NOT NULL,
                    version TEXT NOT NULL,
                    task_id TEXT NOT NULL,
                    conversation_id TEXT NOT NULL,
                    ts REAL NOT NULL,
                    action TEXT NOT NULL,
                    severity TEXT NOT NULL,
                    policy TEXT,
                    PRIMARY KEY (run_id, event_key)
                );

                -- Shadow proposals; agrees is NULL until the stable version's task for the request is seen.
                CREATE TABLE telemetry_shadow (
                    run_id TEXT NOT NULL REFERENCES runs(id),
                    event_key TEXT NOT NULL,
                    look_id INTEGER NOT NULL REFERENCES monitor_looks(id),
                    version TEXT NOT NULL,
                    request_id TEXT NOT NULL,
                    conversation_id TEXT NOT NULL,
                    ts REAL NOT NULL,
                    proposed_tool_calls TEXT NOT NULL,
                    output TEXT,
                    agrees INTEGER,
                    PRIMARY KEY (run_id, event_key)
                );

                CREATE VIEW monitor_history AS
                SELECT l.id AS look_id, l.run_id, l.agent, l.baseline_version, l.candidate_version, l.step_index,
                       l.weight, l.decision, m.name AS metric, m.status, m.baseline_value, m.candidate_value,
                       m.baseline_n, m.candidate_n, m.ci_low, m.ci_high, l.created_at
                FROM monitor_looks l JOIN monitor_metrics m ON m.look_id = l.id;
                """,
            postgresAdditions: """
                -- PostgreSQL has no rowid: seq keeps the order telemetry rows arrived in, as SQLite's rowid does.
                ALTER TABLE telemetry_tasks ADD COLUMN seq BIGINT GENERATED ALWAYS AS IDENTITY;
                ALTER TABLE telemetry_feedback ADD COLUMN seq BIGINT GENERATED ALWAYS AS IDENTITY;
                ALTER TABLE telemetry_violations ADD COLUMN seq BIGINT GENERATED ALWAYS AS IDENTITY;
                ALTER TABLE telemetry_shadow ADD COLUMN seq BIGINT GENERATED ALWAYS AS IDENTITY;
                """),
        LedgerMigration(
            identifier: "v4-exports",
            sql: """
                -- Every dataset feedback-export wrote: the selection, where, how many records, the
                -- manifest's hash, and the watermark (the highest monitor look whose telemetry it covers),
                -- which the next --since-last export of the same selection starts after.
                CREATE TABLE exports (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    selection_key TEXT NOT NULL,
                    scope TEXT NOT NULL,
                    kinds TEXT NOT NULL,
                    arm TEXT NOT NULL,
                    format TEXT NOT NULL,
                    out_dir TEXT NOT NULL,
                    watermark INTEGER NOT NULL,
                    records INTEGER NOT NULL,
                    manifest_sha256 TEXT NOT NULL,
                    created_at TEXT NOT NULL
                );
                CREATE INDEX exports_by_selection ON exports(selection_key, id);
                """),
        LedgerMigration(
            identifier: "v5-notifications",
            sql: """
                -- Every notification a tool sent of a decision or a transition: to which target (its kind,
                -- its place in the policy and the environment variable holding its URL — never the URL),
                -- how many attempts, and how it ended. A failed delivery changes nothing else.
                CREATE TABLE notifications (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    run_id TEXT NOT NULL REFERENCES runs(id),
                    source TEXT NOT NULL,
                    event TEXT NOT NULL,
                    forced INTEGER NOT NULL,
                    target TEXT NOT NULL,
                    url_env TEXT NOT NULL,
                    idempotency_key TEXT NOT NULL,
                    attempts INTEGER NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('delivered', 'failed', 'not_configured')),
                    http_status INTEGER,
                    error TEXT,
                    created_at TEXT NOT NULL
                );
                CREATE INDEX notifications_by_run ON notifications(run_id, id);
                """),
        LedgerMigration(
            identifier: "v6-intake",
            sql: """
                -- The telemetry monitor serve received from the fleet (OTLP spans and native events), each
                -- committed before its request was acknowledged. record_key makes a retried request count
                -- once (an event's agent and id; a span's trace and span ids); id is the order of arrival,
                -- which a look's cursor (telemetry_sources, source 'intake') reads after. body is the
                -- record as a file would hold it: a native event line, or one span as an OTLP/JSON
                -- TracesData line; ts is its own time (an event's ts, a span's end), which a run's looks
                -- start from (the run's creation). Rows received before monitor serve --retain (or ledger
                -- prune --older-than) are deleted once every open run of their agent has read them.
                CREATE TABLE intake_records (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    record_key TEXT NOT NULL UNIQUE,
                    kind TEXT NOT NULL CHECK (kind IN ('event', 'span')),
                    agent TEXT NOT NULL,
                    trace_id TEXT,
                    is_root INTEGER NOT NULL,
                    ts REAL NOT NULL,
                    received_at REAL NOT NULL,
                    body TEXT NOT NULL
                );
                -- A look reads forward from its cursor by id and keeps its agent's rows: no index by agent,
                -- which would cost every span its own insert.
                CREATE INDEX intake_by_trace ON intake_records(trace_id);
                """),
        LedgerMigration(
            identifier: "v7-parsed-intake",
            sql: """
                -- Parse once: monitor serve turns a trace into its tasks' native event lines when the trace
                -- is complete, in the transaction that commits its last part, and keeps no span of it.
                -- intake_records then holds events only (kind 'event'); built_with is the fingerprint of
                -- the monitor.otlp and monitor.prices settings that built a trace's events (NULL for an
                -- event received as one), which a look compares with its own policy's.
                ALTER TABLE intake_records ADD COLUMN built_with TEXT;
                -- The spans of traces not complete yet: their opening span has not arrived, or every task
                -- of the trace waits for its success evaluation (wait_until, on the opening span, is when
                -- the wait ends). record_key makes a retried span count once.
                CREATE TABLE intake_pending (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    record_key TEXT NOT NULL UNIQUE,
                    agent TEXT NOT NULL,
                    trace_id TEXT NOT NULL,
                    is_root INTEGER NOT NULL,
                    ts REAL NOT NULL,
                    received_at REAL NOT NULL,
                    wait_until REAL,
                    body TEXT NOT NULL
                );
                CREATE INDEX intake_pending_by_trace ON intake_pending(trace_id);
                CREATE INDEX intake_pending_ready ON intake_pending(wait_until) WHERE is_root = 1;
                -- One row per built part of a trace (the spans under its opening spans, named by their
                -- ids): its span ids and the task each belongs to, so that a span arriving after its trace
                -- was built (a retry, a late tool call) is known without the trace's spans. Never
                -- updated; retention deletes it with its agent's other records.
                CREATE TABLE intake_traces (
                    trace_id TEXT NOT NULL,
                    part TEXT NOT NULL,
                    agent TEXT NOT NULL,
                    received_at REAL NOT NULL,
                    summary TEXT NOT NULL,
                    PRIMARY KEY (trace_id, part)
                );
                -- The spans earlier servers stored wait to be built like any pending trace.
                INSERT INTO intake_pending (record_key, agent, trace_id, is_root, ts, received_at, body)
                    SELECT record_key, agent, trace_id, is_root, ts, received_at, body FROM intake_records
                    WHERE kind = 'span' AND trace_id IS NOT NULL ORDER BY id;
                DELETE FROM intake_records WHERE kind = 'span';
                DROP INDEX intake_by_trace;
                """),
    ]

    /// The identifiers of the migrations applied, in the order they were defined.
    static func applied(_ session: any LedgerSession) throws -> [String] {
        guard try session.relationExists(table) else { return [] }
        let names = Set(try session.rows("SELECT identifier FROM \(table)").map { try $0.scalar() as String })
        return all.map(\.identifier).filter(names.contains)
    }

    /// Applies the pending migrations in one write transaction; a ledger that is up to date is not written.
    static func migrate(_ store: some LedgerStore) throws {
        let applied = try store.read { try Self.applied($0) }
        guard applied.count < all.count else { return }
        try store.write { session in
            try session.executeScript("CREATE TABLE IF NOT EXISTS \(table) (identifier TEXT NOT NULL PRIMARY KEY)")
            let done = Set(try Self.applied(session))
            for migration in all where !done.contains(migration.identifier) {
                try session.executeScript(migration.sql(for: session.dialect))
                try session.execute("INSERT INTO \(table) (identifier) VALUES (?)", arguments: [migration.identifier])
            }
        }
    }

    /// Why a database with these tables and views is not an AgentCanary ledger, or `nil` when it is one (or
    /// is empty): a ledger records its first migration (a newer release may have added more).
    static func foreignContent(relations: Set<String>, appliedFirst: Bool) -> String? {
        guard !relations.isEmpty, !(relations.contains(table) && appliedFirst) else { return nil }
        return "it holds the tables \(relations.sorted().prefix(5).joined(separator: ", ")) and no record of the "
            + "ledger's migration \(all[0].identifier)"
    }

    /// A migration's SQL with PostgreSQL's names for SQLite's types: 64-bit integers and doubles (PostgreSQL's
    /// `INTEGER` and `REAL` are 32-bit), identity keys, `BYTEA`, and text compared byte by byte (`COLLATE "C"`,
    /// SQLite's order) so that every `ORDER BY` and comparison gives the same rows on both stores.
    static func postgresSchema(_ sql: String) -> String {
        let replacements: [(pattern: String, template: String)] = [
            (#"\bINTEGER PRIMARY KEY AUTOINCREMENT\b"#, "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"),
            (#"\bINTEGER\b"#, "BIGINT"),
            (#"\bREAL\b"#, "DOUBLE PRECISION"),
            (#"\bBLOB\b"#, "BYTEA"),
            (#"\bTEXT\b"#, "TEXT COLLATE \"C\""),
            // A reserved word in PostgreSQL (the queries quote it on both stores).
            (#"(?m)^(\s*)offset "#, "$1\"offset\" "),
        ]
        var result = sql
        for (pattern, template) in replacements {
            // The patterns are constants, checked by the tests.
            guard let expression = try? NSRegularExpression(pattern: pattern) else { continue }
            result = expression.stringByReplacingMatches(
                in: result, range: NSRange(result.startIndex..., in: result), withTemplate: template)
        }
        return result
    }
}
