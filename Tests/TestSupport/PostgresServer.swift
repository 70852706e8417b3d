import Foundation
import Synchronization

/// A PostgreSQL server of Debian's `postgresql` package, started for the tests on 127.0.0.1 and a free port in
/// a temporary directory, once per test process, and stopped when the process exits.
///
/// PostgreSQL refuses to run as root: as root, `initdb`, `pg_ctl` and `psql` run as the `postgres` user
/// (`runuser -u postgres --`). TCP logins need a password (SCRAM); the socket in the directory trusts local
/// users, which is how the tests make databases. Each test takes a database of its own
/// (``createDatabase()``), owned by the role ``role`` with the password ``password``.
package final class PostgresServer: Sendable {
    /// The login role the ledger URLs name.
    package static let role = "canary"
    /// Its password: the tests check that it appears nowhere.
    package static let password = "Pg-test-secret-7c41e9"

    /// The directory with the server's data, socket and log.
    package let directory: String
    package let port: Int
    let binDirectory: String
    let asPostgresUser: Bool
    /// Whether the server takes TCP logins over TLS only (``dedicated(tls:)``).
    let tls: Bool
    private let databases = Atomic<Int>(0)

    /// The server of this test process, started at first use.
    package static func shared() throws -> PostgresServer {
        try started.withLock { server in
            if let server { return server }
            let new = try PostgresServer(tls: false)
            server = new
            atexit { PostgresServer.stopShared() }
            return new
        }
    }

    private static let started = Mutex<PostgresServer?>(nil)

    /// A server of its own, for a test that stops and starts it; ``remove()`` stops it and deletes its files.
    ///
    /// With `tls`, the server has a certificate for 127.0.0.1 signed by a CA of its own (``caCertificate``,
    /// made with `openssl`) and refuses TCP logins that are not encrypted.
    package static func dedicated(tls: Bool = false) throws -> PostgresServer {
        try PostgresServer(tls: tls)
    }

    /// The certificate of the CA that signed a TLS server's certificate.
    package var caCertificate: String { directory + "/ca.pem" }

    /// Stops the server at once and deletes its directory.
    package func remove() {
        try? pgCtl(["stop", "-w", "-m", "immediate"])
        try? FileManager.default.removeItem(atPath: directory)
    }

    private static func stopShared() {
        started.withLock({ $0 })?.remove()
    }

    /// Where `initdb` is: on the PATH, else in Debian's `/usr/lib/postgresql/<version>/bin`.
    package static func binaries() -> String? {
        if let initdb = Services.which("initdb") {
            return URL(fileURLWithPath: initdb).resolvingSymlinksInPath().deletingLastPathComponent().path
        }
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init)
            .sorted()
        return versions.reversed().map { "\(root)/\($0)/bin" }.first {
            FileManager.default.isExecutableFile(atPath: "\($0)/initdb")
        }
    }

    private init(tls: Bool) throws {
        guard let bin = Self.binaries() else { throw MissingTool(tool: .postgresql) }
        binDirectory = bin
        self.tls = tls
        asPostgresUser = getuid() == 0
        directory = "/tmp/agent-canary-pg-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let passwordFile = directory + "/superuser-password"
        try Data("postgres-\(UUID().uuidString)\n".utf8).write(to: URL(fileURLWithPath: passwordFile))
        if asPostgresUser { _ = try Self.execute("/bin/chown", ["-R", "postgres", directory]) }
        port = try Services.freePort()
        try run(
            "initdb",
            [
                "-D", directory + "/data", "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256",
                "--pwfile=\(passwordFile)", "-E", "UTF8", "--no-sync",
            ])
        if tls { try makeCertificates() }
        try start()
        try psql("postgres", "CREATE ROLE \(Self.role) LOGIN PASSWORD '\(Self.password)'")
    }

    /// Starts the server (again, after ``stop()``).
    package func start() throws {
        let encryption =
            tls ? " -c ssl=on -c ssl_cert_file=\(directory)/server.pem -c ssl_key_file=\(directory)/server.key" : ""
        try pgCtl([
            "start", "-w", "-l", directory + "/server.log", "-o",
            "-p \(port) -k \(directory) -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
                + encryption,
        ])
    }

    /// A CA, a certificate for 127.0.0.1 it signs, and `pg_hba.conf` rules that take TCP logins over TLS only.
    private func makeCertificates() throws {
        guard let openssl = Services.which("openssl") else { throw MissingTool(tool: .openssl) }
        let file = { (name: String) in "\(self.directory)/\(name)" }
        try Data("subjectAltName=IP:127.0.0.1\n".utf8).write(to: URL(fileURLWithPath: file("san.cnf")))
        for arguments in [
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=AgentCanary test CA",
                "-keyout", file("ca.key"), "-out", file("ca.pem"),
            ],
            [
                "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", file("server.key"), "-out",
                file("server.csr"),
            ],
            [
                "x509", "-req", "-in", file("server.csr"), "-CA", file("ca.pem"), "-CAkey", file("ca.key"),
                "-CAcreateserial", "-days", "2", "-extfile", file("san.cnf"), "-out", file("server.pem"),
            ],
        ] {
            _ = try Self.execute(openssl, arguments)
        }
        chmod(file("server.key"), 0o600)
        try Data("local all all trust\nhostssl all all 127.0.0.1/32 scram-sha-256\n".utf8).write(
            to: URL(fileURLWithPath: file("data/pg_hba.conf")))
        if asPostgresUser { _ = try Self.execute("/bin/chown", ["-R", "postgres", directory]) }
    }

    /// Stops the server, fast (open connections are closed).
    package func stop() throws {
        try pgCtl(["stop", "-w", "-m", "fast"])
    }

    /// A new empty database owned by ``role``, and the ledger URL that names it.
    package func createDatabase() throws -> String {
        let name = "ledger_\(databases.add(1, ordering: .relaxed).newValue)"
        try psql("postgres", "CREATE DATABASE \(name) OWNER \(Self.role)")
        return url(database: name)
    }

    /// The ledger URL of `database` (TLS off: the test server has no certificate).
    package func url(database: String, password: String = PostgresServer.password) -> String {
        "postgresql://\(Self.role):\(password)@127.0.0.1:\(port)/\(database)?sslmode=disable"
    }

    /// Runs SQL as the superuser over the socket and returns what `psql` printed (unaligned, tuples only).
    @discardableResult
    package func psql(_ database: String, _ sql: String) throws -> String {
        try run(
            "psql",
            [
                "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", directory, "-p", "\(port)", "-U", "postgres",
                "-d", database, "-c", sql,
            ])
    }

    private func pgCtl(_ arguments: [String]) throws {
        try run("pg_ctl", ["-D", directory + "/data"] + arguments)
    }

    @discardableResult
    private func run(_ tool: String, _ arguments: [String]) throws -> String {
        let path = tool == "psql" ? (Services.which("psql") ?? "\(binDirectory)/psql") : "\(binDirectory)/\(tool)"
        if asPostgresUser { return try Self.execute("/usr/sbin/runuser", ["-u", "postgres", "--", path] + arguments) }
        return try Self.execute(path, arguments)
    }

    /// Runs a program to its end, with `posix_spawn` and `waitpid`, its output in a file and every descriptor
    /// above 2 closed: the server `pg_ctl` starts lives on with what it inherited, and would hold the
    /// descriptors by which Foundation's `Process` sees its children end (theirs would never seem to).
    private static func execute(_ executable: String, _ arguments: [String]) throws -> String {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("pg-\(UUID().uuidString).out")
        defer { try? FileManager.default.removeItem(at: output) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // glibc 2.34's `posix_spawn_file_actions_addclosefrom_np`, which Swift's Glibc module does not declare.
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np")
        else { throw ServerFailure(description: "glibc 2.34 or later is needed to start PostgreSQL") }
        _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else {
            throw ServerFailure(description: "\(executable): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        // Exited normally with status 0 (`WIFEXITED` and `WEXITSTATUS`, which Swift does not import).
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
            throw ServerFailure(description: "\(executable) \(arguments.prefix(3).joined(separator: " ")): \(text)")
        }
        return text
    }

    struct ServerFailure: Error, CustomStringConvertible {
        let description: String
    }
}

extension ExternalTool {
    /// OpenSSL's command, to make the TLS test server's certificates.
    package static let openssl = ExternalTool(debian: "openssl")
    /// The PostgreSQL server (`initdb`, `pg_ctl`, `psql`).
    package static let postgresql = ExternalTool("PostgreSQL", from: "Debian package postgresql") {
        PostgresServer.binaries().map { "\($0)/initdb" }
    }
}
