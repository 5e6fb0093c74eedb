import Foundation
import ModelStore
import Testing
import TestSupport

/// The CLI's stable interfaces on a tiny model (external checks rely on these shapes).
@Suite struct CLIGenerateTests {
    @Test func generateJSONIgnoreEOSProducesExactlyMaxTokens() throws {
        let path = try CLIRunner.temporaryFile(try TinyLlamaFile().serialized())
        let outcome = try CLIRunner.run(["generate", "--model", path, "--prompt", "<|im_start|>hello", "--max-tokens", "7",
                                         "--ignore-eos", "--json", "--threads", "1"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
        let prompt = try #require(object["prompt_token_ids"] as? [Int])
        #expect(prompt == [1] + Array("hello".utf8).map { Int($0) + 3 }, "control-token text becomes the control token; no BOS")
        #expect((object["generated_token_ids"] as? [Int])?.count == 7)
        #expect(object["text"] is String)
        #expect(object["prefill_tokens_per_second"] is Double)
        #expect(object["decode_tokens_per_second"] is Double)
    }

    @Test func greedyIsDeterministicAndSeededSamplingRepeats() throws {
        let path = try CLIRunner.temporaryFile(try TinyLlamaFile().serialized())
        func ids(_ extra: [String]) throws -> [Int] {
            let o = try CLIRunner.run(["generate", "--model", path, "--prompt", "abc", "--max-tokens", "6", "--ignore-eos", "--json"] + extra)
            let object = try JSONSerialization.jsonObject(with: Data(o.stdout.utf8)) as? [String: Any]
            return object?["generated_token_ids"] as? [Int] ?? []
        }
        #expect(try ids([]) == ids([]))
        let seeded = try ids(["--temperature", "1.0", "--seed", "42"])
        #expect(seeded.count == 6)
        #expect(try ids(["--temperature", "1.0", "--seed", "42"]) == seeded)
    }

    @Test func tokenizeJSON() throws {
        let path = try CLIRunner.temporaryFile(try TinyLlamaFile().serialized())
        let outcome = try CLIRunner.run(["tokenize", "--model", path, "--text", "<|im_start|>ab<|im_end|>", "--json"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any]
        #expect(object?["token_ids"] as? [Int] == [1, 97 + 3, 98 + 3, 2])
    }

    @Test func modelsListJSON() throws {
        let home = NSTemporaryDirectory() + "loraserve-home-\(UUID().uuidString)"
        let outcome = try CLIRunner.run(["models", "list", "--json"], environment: ["LORASERVE_HOME": home])
        #expect(outcome.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any]
        let models = object?["models"] as? [[String: Any]]
        #expect(models?.count == ModelCatalog.all.count)
        #expect(models?.allSatisfy { $0["status"] as? String == "missing" } == true)
    }
}
