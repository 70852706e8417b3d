import Foundation
import Synchronization

/// Wall time and peak memory of a child process, for the benchmarks of the "Performance" article.
package struct ProcessMeasurement: Sendable {
    /// The median of benchmark timings as the benchmarks report it: the middle value (the upper middle of an
    /// even count).
    package static func median(_ values: [Double]) -> Double {
        values.isEmpty ? .nan : values.sorted()[values.count / 2]
    }

    /// Wall-clock seconds.
    package var seconds: Double
    /// Peak resident set size in MiB (`ru_maxrss` of the child, from `wait4(2)`).
    package var peakMiB: Double
    /// The child's exit status (128 + signal when it was killed).
    package var exitStatus: Int32
    /// User and system CPU seconds of the child (more than `seconds` when it ran threads in parallel).
    package var cpuSeconds: Double = 0

    /// Runs `executable` with `arguments`, its output discarded, and measures it.
    ///
    /// `posix_spawn` and `wait4` are used instead of Foundation's `Process`, which reaps the child itself
    /// and so loses its resource usage.
    package static func run(_ executable: String, _ arguments: [String]) throws -> ProcessMeasurement {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let start = Date()
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: executable])
        }
        // The child's own peak, polled: `ru_maxrss` of a child spawned from a large parent (a load generator
        // holding its requests) starts at the parent's size, because Linux keeps the larger of the two at exec.
        let peak = PeakPoller(pid: pid)
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let seconds = Date().timeIntervalSince(start)
        let polled = peak.stop()
        let signal = status & 0x7F
        func cpu(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return ProcessMeasurement(
            seconds: seconds, peakMiB: (polled.map(Double.init) ?? Double(usage.ru_maxrss)) / 1024,
            exitStatus: signal == 0 ? (status >> 8) & 0xFF : 128 + signal,
            cpuSeconds: cpu(usage.ru_utime) + cpu(usage.ru_stime))
    }
}

/// Samples a running process's peak resident set size (`VmHWM` in `/proc/<pid>/status`, KiB) every 5 ms until
/// stopped: the peak of the process since its exec, short by at most the growth of its last 5 ms.
final class PeakPoller: Sendable {
    private let state = Mutex((peak: Int?.none, running: true))

    init(pid: pid_t) {
        Thread { [self] in
            while state.withLock({ $0.running }) {
                if let kib = Self.peakKiB(of: pid) { state.withLock { $0.peak = max($0.peak ?? 0, kib) } }
                Thread.sleep(forTimeInterval: 0.005)
            }
        }.start()
    }

    /// Stops polling; the largest peak seen, in KiB (`nil` when none was read).
    func stop() -> Int? {
        state.withLock {
            $0.running = false
            return $0.peak
        }
    }

    static func peakKiB(of pid: pid_t) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return nil }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
    }
}
