/// What the benchmarks time the tools against: the same work done by a reference engine, as the queries and
/// scripts that engine runs (`agent-sim bench-monitor`, `bench-export`). These are the other side of a
/// comparison, not the ledger's SQL, which stays in the `Ledger` module.
package enum ReferenceQueries {
    /// A Python script for DuckDB: per version, the tasks, success rate, mean cost, p50 and p95 latency and rogue
    /// rate of a native events file (arguments: the file, the threads); prints the query's time in seconds.
    package static let duckDBMonitorScript = """
        import sys, time, duckdb
        path, threads = sys.argv[1], int(sys.argv[2])
        con = duckdb.connect()
        con.execute(f"SET threads = {threads}")
        start = time.perf_counter()
        rows = con.execute('''
            SELECT version, count(*) AS tasks,
                   avg(CASE WHEN outcome = 'success' THEN 1.0 ELSE 0.0 END) AS success_rate,
                   avg(cost_usd) AS mean_cost,
                   quantile_cont(latency_ms, 0.5) AS p50, quantile_cont(latency_ms, 0.95) AS p95,
                   avg(CASE WHEN list_bool_or(list_transform(tool_calls, lambda c: NOT c.authorized)) THEN 1.0 ELSE 0.0 END) AS rogue_rate
            FROM read_json(?, format = 'newline_delimited', columns = {
                type: 'VARCHAR', ts: 'VARCHAR', event_id: 'VARCHAR', version: 'VARCHAR',
                conversation_id: 'VARCHAR', task_id: 'VARCHAR', request_id: 'VARCHAR', outcome: 'VARCHAR',
                cost_usd: 'DOUBLE', latency_ms: 'DOUBLE', input_tokens: 'DOUBLE', output_tokens: 'DOUBLE',
                steps: 'DOUBLE', tool_calls: 'STRUCT(name VARCHAR, authorized BOOLEAN)[]', category: 'VARCHAR',
                input: 'JSON', output: 'JSON'})
            WHERE type = 'task' GROUP BY version ORDER BY version''', [path]).fetchall()
        elapsed = time.perf_counter() - start
        for row in rows:
            print("  duckdb:", row, file=sys.stderr)
        print(f"{elapsed:.3f}")
        """

    /// The `sqlite3 -json` query that dumps the same rows as `feedback-export --kind failures --format native`
    /// for the run `runId` (a ledger-made id, never user text).
    package static func sqliteFailedTasks(runId: String) -> String {
        "SELECT * FROM telemetry_tasks WHERE run_id = '\(runId)' AND outcome != 'success' ORDER BY look_id, rowid"
    }
}
