import CacheStores
import Foundation
import SummaryCache
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// kill -9 of a writer mid-transaction: the file stays intact and every commit it reported
/// survives (the crash-safety requirement for the embedded store).
@Suite("SQLite crash safety")
struct CrashSafetyTests {
    /// Where SwiftPM put the helper executable: next to the test binary (override with
    /// `CACHE_STORE_CRASH_WRITER`).
    static func writerPath() -> String? {
        let fm = FileManager.default
        if let p = ProcessInfo.processInfo.environment["CACHE_STORE_CRASH_WRITER"] { return p }
        var dirs: [URL] = []
        if let exe = try? fm.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            dirs.append(URL(fileURLWithPath: exe).deletingLastPathComponent())
        }
        dirs.append(Bundle.main.bundleURL.deletingLastPathComponent())
        dirs.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
        for dir in dirs {
            // macOS test bundles sit in .../debug/X.xctest/Contents/MacOS.
            for candidate in [dir, dir.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()] {
                let path = candidate.appendingPathComponent("CacheStoreCrashWriter").path
                if fm.isExecutableFile(atPath: path) { return path }
            }
        }
        return nil
    }

    /// Starts the writer, waits until it reported `killAfter` commits, SIGKILLs it, and returns
    /// every id it reported (including lines still in the pipe).
    static func runAndKill(writer: String, db: String, firstID: UInt64, killAfter: Int, durability: String) throws -> [UInt64] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: writer)
        process.arguments = [db, String(firstID), "1000000", durability]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        var buffer = Data()
        var committed: [UInt64] = []
        func drain() {
            while let nl = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[buffer.startIndex..<nl], as: UTF8.self)
                buffer.removeSubrange(buffer.startIndex...nl)
                if line.hasPrefix("committed "), let id = UInt64(line.dropFirst("committed ".count)) { committed.append(id) }
            }
        }
        while committed.count < killAfter {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }  // writer exited early (its stderr says why)
            buffer.append(chunk)
            drain()
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        buffer.append(out.fileHandleForReading.readDataToEndOfFile())
        drain()
        #expect(process.terminationReason == .uncaughtSignal, "the writer must die by SIGKILL, not exit")
        return committed
    }

    @Test(arguments: ["full", "normal"])
    func killedWriterLosesNoCommittedEntry(durability: String) async throws {
        let writer = try #require(Self.writerPath(), "CacheStoreCrashWriter not built next to the test binary")
        let dir = try StoreFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("crash.sqlite").path
        var reported: [UInt64] = []
        // Several kills at different points, appending to the same file (each run resumes above
        // the ids already reported, so earlier rows are never rewritten).
        for (round, killAfter) in [40, 7, 75].enumerated() {
            let first = UInt64(round) * 1_000_000 + 1
            let ids = try Self.runAndKill(writer: writer, db: db, firstID: first, killAfter: killAfter, durability: durability)
            #expect(ids.count >= killAfter)
            reported += ids

            let store = try SQLiteSummaryStore(path: db)
            #expect(try await store.integrityCheck() == "ok")
            let loaded = try await store.loadAll()
            let present = Dictionary(uniqueKeysWithValues: loaded.map { ($0.id.rawValue, $0) })
            let missing = reported.filter { present[$0] == nil }
            #expect(missing.isEmpty, "committed but lost: \(missing.prefix(10))")
            // Whatever is present (including a batch committed after the last line was printed)
            // is exactly what the writer wrote: no torn rows.
            for entry in loaded {
                #expect(entry == CrashWriterEntries.entry(id: entry.id.rawValue))
            }
        }
    }
}
