import Engine
import Foundation
import Hummingbird
import OpenAIWire
import Synchronization

/// `/v1/models`, the vLLM adapter admin calls, `/v1/adapters`, `/metrics`, `/health`.
struct AdminRoutes: Sendable {
    let runner: GenerationRunner
    let access: AccessControl
    let pathGuard: AdapterPathGuard
    let readiness: Readiness
    let config: WorkerConfig
    let now: @Sendable () -> Double

    private var service: any InferenceService { runner.service }

    /// vLLM shape: the base model, then every adapter with `parent` = the base model and `root` = its path.
    func models(_ request: Request) async throws -> Response {
        try access.authorizeAPI(request)
        let created = Int(now())
        let base = service.baseModelName
        var cards = [ModelCard(id: base, created: created, root: base, max_model_len: service.contextLength)]
        for adapter in await service.adapters().sorted(by: { $0.name < $1.name }) {
            cards.append(ModelCard(id: adapter.name, created: created, root: adapter.path, parent: base))
        }
        return JSONResponse.make(ModelList(data: cards))
    }

    /// Same contract as vLLM's `load_lora_adapter`: 200 with a plain-text success line; loading a
    /// name that exists is a 400.
    func load(_ request: Request) async throws -> Response {
        try access.authorizeAdmin(request)
        let body = try await JSONBody.collect(request, limit: config.maxRequestBodyBytes)
        let wire = try JSONBody.decode(LoadLoRARequest.self, from: body)
        try validateName(wire.lora_name)
        if await service.adapters().contains(where: { $0.name == wire.lora_name }) {
            throw WorkerErrorMapping.apiError(for: ServiceError.adapterExists(wire.lora_name))
        }
        let path = try pathGuard.resolve(wire.lora_path)
        do {
            _ = try await service.loadAdapter(name: wire.lora_name, path: path)
        } catch {
            throw WorkerErrorMapping.apiError(for: error)
        }
        return JSONResponse.text("Success: LoRA adapter '\(wire.lora_name)' added successfully.")
    }

    /// vLLM's `unload_lora_adapter`: unknown names are 404.
    func unload(_ request: Request) async throws -> Response {
        try access.authorizeAdmin(request)
        let body = try await JSONBody.collect(request, limit: config.maxRequestBodyBytes)
        let wire = try JSONBody.decode(UnloadLoRARequest.self, from: body)
        guard !wire.lora_name.isEmpty else { throw APIError.badRequest("`lora_name` must not be empty.", param: "lora_name") }
        do {
            try await service.unloadAdapter(name: wire.lora_name)
        } catch {
            var mapped = WorkerErrorMapping.apiError(for: error)
            if case .unknownAdapter = error {
                // vLLM's wording for this endpoint; the status still comes from the one mapping.
                mapped.error.message = "The lora adapter '\(wire.lora_name)' cannot be found."
                mapped.error.param = "lora_name"
                mapped.error.code = nil
            }
            throw mapped
        }
        return JSONResponse.text("Success: LoRA adapter '\(wire.lora_name)' removed successfully.")
    }

    struct AdapterList: Encodable {
        var object = "list"
        var baseModel: String
        var data: [AdapterInfo]
    }

    /// Per adapter: rank, bytes, residency, pinned, traffic and load counters (snake_case keys).
    func adapters(_ request: Request) async throws -> Response {
        try access.authorizeAPI(request)
        let list = await service.adapters().sorted { $0.name < $1.name }
        return JSONResponse.make(AdapterList(baseModel: service.baseModelName, data: list), snakeCase: true)
    }

    func metrics() async -> Response {
        let input = MetricsRenderer.Input(model: service.baseModelName, engine: await service.metrics(), adapters: await service.adapters(),
                                          admitted: runner.gate.inFlight, admissionCapacity: runner.gate.capacity,
                                          counters: runner.counters.snapshot, now: now())
        return JSONResponse.text(MetricsRenderer.render(input), contentType: "text/plain; version=0.0.4; charset=utf-8")
    }

    func health() -> Response {
        guard readiness.isReady else { return JSONResponse.error(.unavailable("The worker is not ready.", retryAfterSeconds: 1)) }
        return JSONResponse.text("OK")
    }

    private func validateName(_ name: String) throws(APIError) {
        try Self.validate(name: name, baseModel: service.baseModelName)
    }

    static func validate(name: String, baseModel: String) throws(APIError) {
        guard !name.isEmpty else { throw .badRequest("`lora_name` must not be empty.", param: "lora_name") }
        guard name.count <= 256 else { throw .badRequest("`lora_name` is longer than 256 characters.", param: "lora_name") }
        guard !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw .badRequest("`lora_name` contains control characters.", param: "lora_name")
        }
        guard name != baseModel else {
            throw .badRequest("`lora_name` must differ from the base model's name.", param: "lora_name")
        }
    }
}
