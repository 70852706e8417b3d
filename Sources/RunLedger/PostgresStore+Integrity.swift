extension PostgresStore {
    /// PostgreSQL checks every foreign key as it is written; what can still be wrong is found in the catalog:
    /// indexes left invalid (a failed concurrent build), constraints never validated, and rows orphaned while
    /// triggers were off (a restore with `session_replication_role = replica`); with the `amcheck` extension
    /// installed, every B-tree index of the schema is verified too.
    func integrityProblems() throws -> [String] {
        try read { session in
            var problems = try session.rows(
                """
                SELECT c.relname::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                WHERE c.relnamespace = current_schema()::regnamespace AND NOT (i.indisvalid AND i.indisready)
                ORDER BY 1
                """
            ).map { "index \(try $0.scalar() as String) is invalid" }
            problems += try session.rows(
                """
                SELECT conname::text FROM pg_constraint
                WHERE connamespace = current_schema()::regnamespace AND NOT convalidated ORDER BY 1
                """
            ).map { "constraint \(try $0.scalar() as String) is not validated" }
            let foreignKeys = try session.rows(
                """
                SELECT con.conrelid::regclass::text, con.confrelid::regclass::text,
                    (SELECT string_agg(quote_ident(a.attname), ',' ORDER BY k.n) FROM unnest(con.conkey)
                        WITH ORDINALITY k(attnum, n) JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum),
                    (SELECT string_agg(quote_ident(a.attname), ',' ORDER BY k.n) FROM unnest(con.confkey)
                        WITH ORDINALITY k(attnum, n) JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum)
                FROM pg_constraint con
                WHERE con.contype = 'f' AND con.connamespace = current_schema()::regnamespace ORDER BY con.conname
                """)
            for key in foreignKeys {
                let child: String = try key.value(at: 0, named: "child")
                let parent: String = try key.value(at: 1, named: "parent")
                let columns = (try key.value(at: 2, named: "columns") as String).split(separator: ",")
                let referenced = (try key.value(at: 3, named: "referenced") as String).split(separator: ",")
                let matches = zip(columns, referenced).map { "p.\($1) = c.\($0)" }.joined(separator: " AND ")
                let present = columns.map { "c.\($0) IS NOT NULL" }.joined(separator: " AND ")
                let orphans: Int64 =
                    try session.scalar(
                        "SELECT count(*) FROM \(child) c WHERE \(present) AND NOT EXISTS (SELECT 1 FROM \(parent) p WHERE \(matches))"
                    ) ?? 0
                if orphans > 0 {
                    problems.append("foreign key violation in \(child): \(orphans) rows without their \(parent)")
                }
            }
            let amcheck: Int64 = try session.scalar("SELECT count(*) FROM pg_extension WHERE extname = 'amcheck'") ?? 0
            if amcheck > 0 {
                let indexes = try session.rows(
                    """
                    SELECT c.relname::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                    JOIN pg_am am ON am.oid = c.relam
                    WHERE c.relnamespace = current_schema()::regnamespace AND am.amname = 'btree' ORDER BY 1
                    """
                ).map { try $0.scalar() as String }
                for index in indexes {
                    do {
                        try session.execute("SELECT bt_index_check(?::regclass)", arguments: [index])
                    } catch {
                        problems.append("index \(index): \(Self.describe(error))")
                    }
                }
            }
            return problems
        }
    }
}
