import ArgumentParser
import CommandSupport
import Foundation
import Simulation

struct Send: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Play OTLP/JSON traces files into monitor serve over OTLP/HTTP, as the fleet's exporters would.",
        discussion: """
            Posts to ENDPOINT/v1/traces: with --encoding protobuf (the SDKs' default) batches of --batch traces as \
            ExportTraceServiceRequest messages; with json, each line of the file as it is. A 429, 503 or a \
            connection failure is retried after the server's Retry-After, for up to --retry-for. Prints what was \
            sent. Exit status: 0 sent; 65 a file that is not OTLP/JSON; 66 a file that cannot be read; 69 the server \
            refused or could not be reached in time.
            """)

    @Option(help: ArgumentHelp("monitor serve's base URL.", valueName: "url")) var endpoint = "http://127.0.0.1:4318"
    @Option(help: "protobuf or json.") var encoding = FleetSender.Encoding.protobuf
    @Option(help: "Traces per request (protobuf).") var batch = 100
    @Option(
        name: .customLong("token-file"), help: ArgumentHelp("Send the bearer token of this file.", valueName: "file"))
    var tokenFile: String?
    @Option(help: ArgumentHelp("Keep retrying a request for this long.", valueName: "duration")) var retryFor = "60s"
    @Argument(help: ArgumentHelp("OTLP/JSON traces files (one TracesData per line).", valueName: "file"))
    var files: [String]

    func validate() throws {
        guard let url = URL(string: endpoint), url.scheme == "http" || url.scheme == "https" else {
            throw ValidationError("--endpoint '\(endpoint)' is not an http:// URL")
        }
        guard DurationArgument.parse(retryFor) != nil else {
            throw ValidationError("--retry-for '\(retryFor)' is not a duration such as 30s")
        }
        if batch < 1 { throw ValidationError("--batch must be at least 1") }
    }

    func run() throws {
        try ToolRunner.run {
            var token: String?
            if let tokenFile {
                guard let data = FileManager.default.contents(atPath: tokenFile) else {
                    throw ValidationError("--token-file \(tokenFile) cannot be read")
                }
                token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            }
            let seconds = DurationArgument.parse(retryFor).map { $0 / .seconds(1) } ?? 60
            let sender = FleetSender(
                endpoint: URL(string: endpoint) ?? URL(fileURLWithPath: "/"), encoding: encoding, batchTraces: batch,
                token: token, retryFor: seconds)
            for file in files {
                let summary: FleetSender.Summary
                do {
                    summary = try sender.send(file: file)
                } catch let failure as FleetSender.Failure {
                    if case .unreadable = failure {
                        ToolRunner.printError("\(failure)")
                        return 66
                    }
                    ToolRunner.printError("\(file): \(failure)")
                    return 69
                }
                ToolRunner.printResult(
                    "\(file): \(summary.spans) spans in \(summary.requests) requests (\(summary.retries) retried"
                        + (summary.rejected > 0 ? ", \(summary.rejected) rejected)" : ")"))
            }
            return 0
        }
    }
}

extension FleetSender.Encoding: ExpressibleByArgument {}
