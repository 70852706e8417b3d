import Foundation
import Logging

/// A log handler that writes every entry on one line: line breaks in the message and the metadata (which carry
/// untrusted values — event ids, versions, reasons) are written as `\n` and `\r`, so no value starts a line of
/// its own (a forged log entry, or a GitHub Actions workflow command, which the runner reads on stderr too).
struct SingleLineLogHandler: LogHandler {
    var wrapped: any LogHandler

    init(_ wrapped: any LogHandler) {
        self.wrapped = wrapped
    }

    var logLevel: Logger.Level {
        get { wrapped.logLevel }
        set { wrapped.logLevel = newValue }
    }

    var metadata: Logger.Metadata {
        get { wrapped.metadata }
        set { wrapped.metadata = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { wrapped[metadataKey: key] }
        set { wrapped[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        var event = event
        event.message = "\(Self.escaped("\(event.message)"))"
        event.metadata = event.metadata?.mapValues { .string(Self.escaped("\($0)")) }
        wrapped.log(event: event)
    }

    static func escaped(_ text: String) -> String {
        guard text.contains(where: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else { return text }
        return text.replacingOccurrences(of: "\r\n", with: "\\r\\n").replacingOccurrences(of: "\n", with: "\\n")
            .replacingOccurrences(of: "\r", with: "\\r")
    }
}
