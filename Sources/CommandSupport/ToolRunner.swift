import ArgumentParser
import CIOutput
import Foundation
import Logging
import ToolContract

/// Runs a command's body with the project's error contract: a failure prints one `error: …` line on stderr
/// and exits with the status ``ExitStatus/of(_:)`` gives it.
package enum ToolRunner {
    /// A logger writing to stderr, at the level `AGENT_CANARY_LOG_LEVEL` names (default `warning`).
    package static func logger(label: String) -> Logger {
        var logger = Logger(label: label) { SingleLineLogHandler(StreamLogHandler.standardError(label: $0)) }
        let level = ProcessInfo.processInfo.environment["AGENT_CANARY_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) }
        logger.logLevel = level ?? .warning
        return logger
    }

    /// Runs `body`; maps a thrown error to its exit status, and returns `body`'s status.
    package static func run(_ body: () throws -> Int32) throws {
        let status: Int32
        do {
            status = try body()
        } catch let error as ExitCode {
            throw error
        } catch {
            printError(String(describing: error))
            throw ExitCode(ExitStatus.of(error).rawValue)
        }
        if status != 0 { throw ExitCode(status) }
    }

    /// Runs `body`, a long-running command's; maps a thrown error to its exit status, and returns `body`'s status.
    package static func run(_ body: () async throws -> Int32) async throws {
        let status: Int32
        do {
            status = try await body()
        } catch let error as ExitCode {
            throw error
        } catch {
            printError(String(describing: error))
            throw ExitCode(ExitStatus.of(error).rawValue)
        }
        if status != 0 { throw ExitCode(status) }
    }

    /// Prints `error: message` on stderr.
    package static func printError(_ message: String) {
        FileHandle.standardError.write(Data(WorkflowCommands.guarded("error: \(message)\n").utf8))
    }

    /// Prints a line on stdout; under GitHub Actions, a line of untrusted text that would read as a workflow
    /// command is printed verbatim, never obeyed (``WorkflowCommands``).
    package static func printResult(_ text: String) {
        FileHandle.standardOutput.write(Data(WorkflowCommands.guarded(text.hasSuffix("\n") ? text : text + "\n").utf8))
    }
}
