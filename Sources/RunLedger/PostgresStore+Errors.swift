import Foundation
import NIOSSL
import PostgresNIO

extension PostgresStore {
    /// The TLS a connection uses, from `sslmode` (as libpq: `prefer` tries TLS and accepts a server without;
    /// `require` encrypts without checking the certificate; `verify-ca` checks it; `verify-full` also checks
    /// the host name).
    static func tls(_ location: PostgresLocation) throws -> PostgresConnection.Configuration.TLS {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch location.tls {
        case .disable, .allow: return .disable
        case .prefer, .require: configuration.certificateVerification = .none
        case .verifyCA: configuration.certificateVerification = .noHostnameVerification
        case .verifyFull: configuration.certificateVerification = .fullVerification
        }
        if let root = location.rootCertificate {
            configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(root))
        }
        let context = try NIOSSLContext(configuration: configuration)
        return location.tls == .prefer ? .prefer(context) : .require(context)
    }

    /// Why a connection could not be made, without the password: the server unreachable (exit 69), the login
    /// refused, or another failure.
    static func connectionFailure(_ error: any Error, location: PostgresLocation) -> LedgerError {
        if let error = error as? PSQLError {
            if error.code == .server, let state = error.serverInfo?[.sqlState] {
                let message = error.serverInfo?[.message] ?? state
                if state.hasPrefix("28") {
                    return .loginRefused(location: location.description, reason: message)
                }
                return .cannotOpen(path: location.description, reason: message)
            }
            if error.code == .authMechanismRequiresPassword {
                return .loginRefused(
                    location: location.description,
                    reason: "the server asks for a password; give it in the URL, PGPASSWORD or the password file")
            }
            if error.code == .sslUnsupported {
                return .unavailable(
                    endpoint: location.endpoint,
                    reason: "the server does not offer TLS, which sslmode=\(location.tls.rawValue) requires")
            }
            if error.code == .connectionError || error.code == .serverClosedConnection || error.code == .uncleanShutdown
            {
                return .unavailable(
                    endpoint: location.endpoint,
                    reason: error.underlying.map { String(describing: $0) } ?? "\(error.code)")
            }
            return .cannotOpen(path: location.description, reason: describe(error))
        }
        return .unavailable(endpoint: location.endpoint, reason: String(describing: error))
    }

    func describe(_ error: any Error) -> String { Self.describe(error) }

    /// A failure's message: the server's own (with its SQLSTATE), or what failed on the client.
    static func describe(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] {
                return message + (error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? "")
            }
            return "\(error.code)" + (error.underlying.map { ": \($0)" } ?? "")
        }
        if let error = error as? LedgerError { return error.description }
        return String(describing: error)
    }
}
