import GRDB

/// The ledger's schema, as named, append-only migrations.
///
/// A released migration is never edited: later stages add their own tables in new migrations (rollout
/// transitions, monitor looks, retained telemetry, exports). Migrations are written in SQL so the schema a
/// data team reads in `sqlite3` is exactly what is here.
enum LedgerMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-runs-stages-artifacts-gates") { db in
            try db.execute(
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
                    """)
        }
        migrator.registerMigration("v2-rollouts") { db in
            try db.execute(
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
                    """)
        }
        return migrator
    }
}
