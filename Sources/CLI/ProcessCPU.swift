import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// CPU time (user + system) spent by processes, for measuring what else ran on the host while a
/// local cluster served (`bench cluster` records it; `bench validate` models it as cores the
/// workers could not use).
package enum ProcessCPU {
    /// This process (all threads).
    package static func ownSeconds() -> Double {
        var usage = rusage()
        guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return 0 }
        func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return s(usage.ru_utime) + s(usage.ru_stime)
    }

    /// Another process, from /proc/PID/stat (nil where that is not readable: not Linux, exited).
    package static func seconds(pid: Int32) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return nil }
        return parseStat(stat, ticksPerSecond: Double(sysconf(Int32(_SC_CLK_TCK))))
    }

    /// utime + stime (fields 14 and 15) of a /proc/PID/stat line, in seconds. The command name
    /// (field 2) is in parentheses and may contain spaces, so fields are counted after its ")".
    package static func parseStat(_ line: String, ticksPerSecond: Double) -> Double? {
        guard ticksPerSecond > 0, let close = line.lastIndex(of: ")") else { return nil }
        let rest = line[line.index(after: close)...].split(separator: " ")
        // rest[0] is field 3 (state), so field n is rest[n - 3].
        guard rest.count > 12, let utime = Double(rest[11]), let stime = Double(rest[12]) else { return nil }
        return (utime + stime) / ticksPerSecond
    }
}
