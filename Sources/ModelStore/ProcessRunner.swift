import Foundation

/// Runs a child process, streaming its combined output to a callback and keeping a tail for errors.
enum ProcessRunner {
    struct Outcome: Sendable {
        let status: Int32
        let output: String
        var tail: String { output.split(separator: "\n").suffix(12).joined(separator: "\n") }
    }

    static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    static func run(_ executable: String, _ arguments: [String], onOutput: @escaping @Sendable (String) -> Void) -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            return Outcome(status: -1, output: "could not start \(executable): \(error)")
        }
        var collected = Data()
        let handle = pipe.fileHandleForReading
        while true {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            collected.append(chunk)
            if let text = String(data: chunk, encoding: .utf8) {
                for line in text.split(separator: "\n") where !line.trimmingCharacters(in: .whitespaces).isEmpty {
                    onOutput("  " + line)
                }
            }
        }
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, output: String(decoding: collected, as: UTF8.self))
    }
}
