// Test helper for the SQLite crash-safety test: writes cache entries to a SQLite store in a
// loop and prints "committed <id>" (unbuffered) after each transaction commits, so the test can
// SIGKILL it at any moment and then check that every reported id survived.
//
//   CacheStoreCrashWriter <db-path> <first-id> <count> [full|normal]
//
// Each transaction writes 1-3 entries (a batch via `apply`) of ~6 KB each; ids are consecutive
// from <first-id>. Entry content is a pure function of the id (`CrashWriterEntries.entry`).
import CacheStores
import Foundation
import SummaryCache

let args = CommandLine.arguments
guard args.count >= 4, let first = UInt64(args[2]), let count = UInt64(args[3]) else {
    FileHandle.standardError.write(Data("usage: CacheStoreCrashWriter <db-path> <first-id> <count> [full|normal]\n".utf8))
    exit(2)
}
let durability = SQLiteSummaryStore.Durability(rawValue: args.count > 4 ? args[4] : "full") ?? .full
do {
    let store = try SQLiteSummaryStore(path: args[1], durability: durability)
    var next = first
    while next < first &+ count {
        let batch = min(1 + next % 3, first &+ count - next)
        let entries = (next..<(next + batch)).map { CrashWriterEntries.entry(id: $0) }
        try await store.apply(entries.map { .persist($0) })
        let line = entries.map { "committed \($0.id.rawValue)\n" }.joined()
        FileHandle.standardOutput.write(Data(line.utf8))
        next += batch
    }
    FileHandle.standardOutput.write(Data("done\n".utf8))
} catch {
    FileHandle.standardError.write(Data("CacheStoreCrashWriter: \(error)\n".utf8))
    exit(1)
}
