import Foundation

/// Runs the `--apply` command with the rendered configuration on its standard input.
package enum ApplyCommand {
    package struct Result {
        package var status: Int32
        package var stderr: String
    }

    package static func run(_ command: String, input: Data, environment: [String: String]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.environment = environment
        let stdin = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = FileHandle.standardError
        process.standardError = stderr
        try process.run()
        // Write and read concurrently so neither pipe can fill up and block the other side.
        let writer = Thread {
            stdin.fileHandleForWriting.write(input)
            try? stdin.fileHandleForWriting.close()
        }
        writer.start()
        let errorData = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: errorData.prefix(2000), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return Result(status: process.terminationStatus, stderr: text)
    }
}
