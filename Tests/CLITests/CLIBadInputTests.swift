import Foundation
import Testing
import TestSupport

/// Bad input to the CLI: a clear message, exit status ≠ 0, never a crash (status 1 means the error
/// path ran; a crash would be a signal).
@Suite struct CLIBadInputTests {
    private func expectCleanFailure(_ outcome: CLIRunner.Outcome, mentioning needle: String) {
        #expect(outcome.status == 1, "exit status \(outcome.status), stderr: \(outcome.stderr)")
        #expect(outcome.stderr.localizedCaseInsensitiveContains(needle), "stderr: \(outcome.stderr)")
        #expect(!outcome.stderr.contains("Program crashed"))
    }

    @Test func corruptFile() throws {
        var rng = SeededBytes(seed: 3)
        let path = try CLIRunner.temporaryFile(rng.bytes(4096))
        expectCleanFailure(try CLIRunner.run(["generate", "--model", path, "--prompt", "hi"]), mentioning: "not a readable GGUF")
    }

    @Test(arguments: [0.1, 0.5, 0.9, 0.999])
    func truncatedFile(fraction: Double) throws {
        let bytes = try TinyLlamaFile().serialized()
        let path = try CLIRunner.temporaryFile(Array(bytes.prefix(Int(Double(bytes.count) * fraction))))
        expectCleanFailure(try CLIRunner.run(["generate", "--model", path, "--prompt", "hi"]), mentioning: "GGUF")
    }

    @Test func notLlama() throws {
        var tiny = TinyLlamaFile()
        tiny.architecture = "gptneox"
        let path = try CLIRunner.temporaryFile(try tiny.serialized())
        expectCleanFailure(try CLIRunner.run(["generate", "--model", path, "--prompt", "hi"]), mentioning: "gptneox")
    }

    @Test func missingFile() throws {
        expectCleanFailure(try CLIRunner.run(["generate", "--model", "/nonexistent/m.gguf", "--prompt", "hi"]),
                           mentioning: "no such file")
    }

    @Test func promptLongerThanContext() throws {
        let path = try CLIRunner.temporaryFile(try TinyLlamaFile().serialized())
        let prompt = String(repeating: "a", count: 100)   // 100 byte tokens > context 64
        expectCleanFailure(try CLIRunner.run(["generate", "--model", path, "--prompt", prompt, "--max-tokens", "4"]),
                           mentioning: "context length")
    }

    @Test func badOptions() throws {
        let outcome = try CLIRunner.run(["generate", "--prompt", "hi", "--max-tokens", "0"])
        #expect(outcome.status != 0)
        #expect(outcome.stderr.contains("max-tokens"))
        for bad in [["--candidates", "0"], ["--candidates", "1,x"], ["--runs", "0"], ["--threads", "0"]] {
            let verifier = try CLIRunner.run(["bench", "verifier"] + bad)
            #expect(verifier.status != 0 && !verifier.stderr.contains("Program crashed"), "\(bad): \(verifier.stderr)")
            #expect(verifier.stderr.contains(bad[0].dropFirst(2)), "\(bad): \(verifier.stderr)")
        }
    }
}

/// Deterministic garbage for corrupt-file tests.
struct SeededBytes {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
    }
}
