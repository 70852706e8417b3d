import Foundation

/// Named points where a process stops for two minutes when `AGENT_CANARY_FAILPOINT` names the point, so that
/// a test can kill it there (between a ledger commit and a rename, inside a transaction).
///
/// Compiled into debug builds only, which the tests run: a release build (what the README's set-up and the
/// pipelines build) has no failpoint, and a call costs nothing there.
package enum Failpoint {
    /// Stops here when the environment (`environment`, else the process's) names `name`; debug builds only.
    @inline(__always)
    package static func hit(_ name: String, environment: [String: String]? = nil) {
        #if DEBUG
            let environment = environment ?? ProcessInfo.processInfo.environment
            guard environment["AGENT_CANARY_FAILPOINT"] == name else { return }
            FileHandle.standardError.write(Data("failpoint \(name) reached\n".utf8))
            Thread.sleep(forTimeInterval: 120)
        #endif
    }
}
