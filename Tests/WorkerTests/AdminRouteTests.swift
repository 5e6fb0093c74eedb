import Engine
import Foundation
import Hummingbird
import HummingbirdTesting
import OpenAIWire
import Testing
import Worker

@Suite("Admin and listing endpoints")
struct AdminRouteTests {
    /// `<tmp>/root/{a1,a2,corrupt}`, `<tmp>/outside`, and `<tmp>/root/escape` → `<tmp>/outside`.
    struct AdapterTree {
        let base: String
        var root: String { base + "/root" }
        var outside: String { base + "/outside" }

        init() throws {
            base = FileManager.default.temporaryDirectory.path + "/worker-tests-" + UUID().uuidString
            for dir in ["root/a1", "root/a2", "root/corrupt", "outside"] {
                try FileManager.default.createDirectory(atPath: base + "/" + dir, withIntermediateDirectories: true)
            }
            try FileManager.default.createSymbolicLink(atPath: base + "/root/escape", withDestinationPath: base + "/outside")
        }

        func remove() { try? FileManager.default.removeItem(atPath: base) }
    }

    static let admin: HTTPFields = [.authorization: "Bearer s3cret"]

    @Test("/v1/models lists the base model, then adapters with parent and root")
    func models() async throws {
        let harness = try WorkerHarness()
        try await harness.run { client in
            let list = try await client.get("/v1/models").decode(ModelList.self)
            #expect(list.object == "list")
            #expect(list.data.map(\.id) == ["fake-base", "alpha", "beta"])
            #expect(list.data[0].parent == nil)
            #expect(list.data[0].max_model_len == 128)
            #expect(list.data[1].parent == "fake-base")
            #expect(list.data[1].root == "/adapters/alpha")
            #expect(list.data.allSatisfy { $0.object == "model" })
        }
    }

    @Test("admin endpoints need the admin token when one is configured")
    func adminAuth() async throws {
        let tree = try AdapterTree()
        defer { tree.remove() }
        let harness = try WorkerHarness(config: WorkerHarness.config { $0.adminToken = "s3cret"; $0.adapterRoot = tree.root })
        try await harness.run { client in
            let load = #"{"lora_name":"gamma","lora_path":"a1"}"#
            try await client.post("/v1/load_lora_adapter", json: load).expectError(401)
            try await client.post("/v1/load_lora_adapter", json: load, headers: [.authorization: "Bearer wrong"]).expectError(401)
            try await client.post("/v1/load_lora_adapter", json: load, headers: [.authorization: "Basic s3cret"]).expectError(401)
            try await client.post("/v1/unload_lora_adapter", json: #"{"lora_name":"alpha"}"#).expectError(401)
            // Inference stays open: the token guards administration only.
            #expect(try await client.post("/v1/completions", json: #"{"model":"alpha","prompt":"a","max_tokens":1}"#).head.status == .ok)
        }
        #expect(harness.fake.snapshot.adapters["alpha"] != nil)
        #expect(harness.fake.snapshot.adapters["gamma"] == nil)
    }

    @Test("load_lora_adapter / unload_lora_adapter follow vLLM's contract")
    func loadUnload() async throws {
        let tree = try AdapterTree()
        defer { tree.remove() }
        let harness = try WorkerHarness(config: WorkerHarness.config { $0.adminToken = "s3cret"; $0.adapterRoot = tree.root })
        try await harness.run { client in
            let loaded = try await client.post("/v1/load_lora_adapter", json: #"{"lora_name":"gamma","lora_path":"a1"}"#, headers: Self.admin)
            #expect(loaded.head.status == .ok)
            #expect(loaded.text == "Success: LoRA adapter 'gamma' added successfully.")
            let models = try await client.get("/v1/models").decode(ModelList.self)
            #expect(models.data.contains { $0.id == "gamma" && $0.parent == "fake-base" })
            #expect(try await client.post("/v1/completions", json: #"{"model":"gamma","prompt":"a","max_tokens":3}"#).head.status == .ok)

            let again = try await client.post("/v1/load_lora_adapter", json: #"{"lora_name":"gamma","lora_path":"a2"}"#, headers: Self.admin)
            #expect(try again.expectError(400).message == "The lora adapter 'gamma' has already been loaded.")

            let unloaded = try await client.post("/v1/unload_lora_adapter", json: #"{"lora_name":"gamma"}"#, headers: Self.admin)
            #expect(unloaded.text == "Success: LoRA adapter 'gamma' removed successfully.")
            let missing = try await client.post("/v1/unload_lora_adapter", json: #"{"lora_name":"gamma"}"#, headers: Self.admin)
            #expect(try missing.expectError(404).message.contains("gamma"))
            try await client.post("/v1/completions", json: #"{"model":"gamma","prompt":"a"}"#).expectError(404)
            try await client.post("/v1/load_lora_adapter", json: #"{"lora_name":"x"}"#, headers: Self.admin).expectError(400)
            try await client.post("/v1/load_lora_adapter", json: #"{"lora_name":"fake-base","lora_path":"a1"}"#, headers: Self.admin).expectError(400)
        }
    }

    @Test("the engine receives the resolved absolute path")
    func resolvedPath() async throws {
        let tree = try AdapterTree()
        defer { tree.remove() }
        let harness = try WorkerHarness(config: WorkerHarness.config { $0.adapterRoot = tree.root })
        try await harness.run { client in
            let response = try await client.post("/v1/load_lora_adapter", json: #"{"lora_name":"g","lora_path":"a2/../a1/."}"#)
            #expect(response.head.status == .ok)
        }
        let path = try #require(harness.fake.snapshot.adapters["g"]?.path)
        #expect(path.hasSuffix("/root/a1"))
        #expect(!path.contains(".."))
    }

    @Test("paths outside the adapter root are refused after resolving .. and symlinks", arguments: [
        ("../outside", 403), ("escape", 403), ("a1/../../outside", 403), ("/etc", 403), ("/nonexistent/x", 403),
        ("missing", 404), ("a1/../missing", 404), ("", 400),
    ])
    func confinement(path: String, status: Int) async throws {
        let tree = try AdapterTree()
        defer { tree.remove() }
        let harness = try WorkerHarness(config: WorkerHarness.config { $0.adapterRoot = tree.root })
        try await harness.run { client in
            // Absolute paths into the tree's outside dir too.
            let given = path == "/etc" ? tree.outside : path
            let response = try await client.post("/v1/load_lora_adapter", json: #"{"lora_name":"g","lora_path":"\#(given)"}"#)
            let error = try response.expectError(status)
            #expect(error.param == "lora_path")
        }
        #expect(harness.fake.snapshot.adapters["g"] == nil)
    }

    @Test("a corrupt adapter fails its load with 400 and the worker keeps serving")
    func corruptAdapter() async throws {
        let tree = try AdapterTree()
        defer { tree.remove() }
        let harness = try WorkerHarness(config: WorkerHarness.config { $0.adapterRoot = tree.root })
        try await harness.run { client in
            let error = try await client.post("/v1/load_lora_adapter", json: #"{"lora_name":"bad","lora_path":"corrupt"}"#).expectError(400)
            #expect(error.message.contains("corrupt"))
            #expect(try await client.post("/v1/completions", json: #"{"model":"alpha","prompt":"a","max_tokens":2}"#).head.status == .ok)
            try await client.post("/v1/completions", json: #"{"model":"bad","prompt":"a"}"#).expectError(404)
        }
    }

    @Test("/v1/adapters reports rank, bytes, residency, pinned, traffic and loads in snake_case")
    func adapters() async throws {
        let harness = try WorkerHarness()
        try await harness.run { client in
            _ = try await client.post("/v1/completions", json: #"{"model":"beta","prompt":"a","max_tokens":1}"#)
            let body = try await client.get("/v1/adapters").object()
            #expect(body["object"] as? String == "list")
            #expect(body["base_model"] as? String == "fake-base")
            let data = try #require(body["data"] as? [[String: Any]])
            #expect(data.compactMap { $0["name"] as? String } == ["alpha", "beta"])
            let beta = data[1]
            for key in ["rank", "bytes", "residency", "pinned", "requests", "prompt_tokens", "generated_tokens", "load_count", "eviction_count"] {
                #expect(beta[key] != nil, "missing \(key)")
            }
            #expect(beta["rank"] as? Int == 64)
            #expect(beta["residency"] as? String == "active")
            #expect(beta["requests"] as? Int == 1)
        }
    }

    @Test("/health is 200 when ready and 503 while not")
    func health() async throws {
        let harness = try WorkerHarness()
        try await harness.run { client in
            #expect(try await client.get("/health").head.status == .ok)
            harness.server.setReady(false)
            let response = try await client.get("/health")
            try response.expectError(503)
            harness.server.setReady(true)
            #expect(try await client.get("/health").head.status == .ok)
        }
    }
}
