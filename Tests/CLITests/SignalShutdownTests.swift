import CLI
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Ctrl-C / SIGTERM on a running server command: a graceful shutdown, exit status 0, and no error
/// lines (cancelling the Hummingbird server used to log "Waiting on child channel:
/// CancellationError()" or "Server shutdown error: Already closed" on every Ctrl-C).
@Suite("Signal shutdown (live process)")
struct SignalShutdownTests {
    /// Starts `loraserve controller` (no models needed), waits until it listens, sends `signals`
    /// and returns its exit status and stderr.
    private func controllerStopped(by signals: [Int32]) throws -> (status: Int32, stderr: String) {
        let executable = try #require(CLIRunner.executable)
        let log = NSTemporaryDirectory() + "loraserve-signal-\(UUID().uuidString).log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: log) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["controller", "--port", "\(LocalPorts.free())"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try #require(FileHandle(forWritingAtPath: log))
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        func stderr() -> String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }
        let started = Date()
        while !stderr().contains("listening at"), process.isRunning, Date().timeIntervalSince(started) < 60 {
            Thread.sleep(forTimeInterval: 0.05)
        }
        try #require(stderr().contains("listening at"), "the controller did not start: \(stderr())")
        for sig in signals {
            kill(process.processIdentifier, sig)
            Thread.sleep(forTimeInterval: 0.05)
        }
        let stopping = Date()
        while process.isRunning, Date().timeIntervalSince(stopping) < 30 { Thread.sleep(forTimeInterval: 0.05) }
        try #require(!process.isRunning, "still running 30 s after the signal")
        return (process.terminationStatus, stderr())
    }

    @Test func ctrlCShutsDownGracefullyAndQuietly() throws {
        let (status, log) = try controllerStopped(by: [SIGINT])
        #expect(status == 0, "\(log)")
        #expect(log.contains("received SIGINT, shutting down"))
        #expect(!log.lowercased().contains("error"), "\(log)")
    }

    /// The second signal may find the graceful shutdown already done; either way the process ends
    /// cleanly, without a crash from a cancellation racing the listener.
    @Test func twoSignalsInARowStillExitCleanly() throws {
        let (status, log) = try controllerStopped(by: [SIGTERM, SIGTERM])
        #expect(status == 0, "\(log)")
        #expect(log.contains("received SIGTERM, shutting down"))
    }
}
