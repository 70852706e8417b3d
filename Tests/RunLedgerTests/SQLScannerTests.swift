import Testing

@testable import RunLedger

/// The PostgreSQL store's reading of the ledger's SQL: placeholders and separators count only in code.
@Suite("SQL scanner")
struct SQLScannerTests {
    @Test("placeholders are numbered in code, never inside literals, quoted identifiers or comments")
    func placeholders() {
        let sql = """
            SELECT '?', "a?b", x -- is it ?
            FROM t WHERE a = ? AND b = '-- ?' AND c = ?
            """
        #expect(
            SQLScanner.numberingPlaceholders(sql) == """
                SELECT '?', "a?b", x -- is it ?
                FROM t WHERE a = $1 AND b = '-- ?' AND c = $2
                """)
        #expect(SQLScanner.numberingPlaceholders("VALUES (?, ?-?)") == "VALUES ($1, $2-$3)")
    }

    @Test("a script splits at semicolons in code; comments are dropped, blank statements left out")
    func statements() {
        let script = """
            -- first; not a split
            CREATE TABLE "a;b" (x TEXT DEFAULT ';');
            ;
            INSERT INTO t VALUES (1) -- trailing; comment
            ;SELECT 2 - 1
            """
        #expect(
            SQLScanner.statements(script) == [
                #"CREATE TABLE "a;b" (x TEXT DEFAULT ';')"#, "INSERT INTO t VALUES (1)", "SELECT 2 - 1",
            ])
    }
}
