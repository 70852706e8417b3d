import Foundation

/// Named points where a process stops for two minutes when `AGENT_CANARY_FAILPOINT` names the point, so that
/// a test can kill it there (between a ledger commit and a rename, inside a transaction). Off in every other
/// case; one environment lookup per point passed.
package enum Failpoint {
    /// Stops here when the environment names `name`.
    package static func hit(_ name: String, environment: [String: String] = ProcessInfo.processInfo.environment) {
        guard environment["AGENT_CANARY_FAILPOINT"] == name else { return }
        FileHandle.standardError.write(Data("failpoint \(name) reached\n".utf8))
        Thread.sleep(forTimeInterval: 120)
    }
}
