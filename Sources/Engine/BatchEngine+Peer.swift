import LoRAAdapters

extension BatchEngine {
    /// Encodes a resident adapter's weights from memory (host or active tier). An adapter whose
    /// weights were evicted to disk is not exported: a peer fetch must not cost the sender a disk read.
    public func exportAdapter(name: String) async throws(ServiceError) -> AdapterExport {
        guard registry.contains(name) else { throw .unknownAdapter(name) }
        guard let source = registry.exportSource(name) else {
            throw .adapterInvalid("The lora adapter '\(name)' is not in memory (evicted to disk); load it from its source instead.")
        }
        do {
            // Hashing is most of an export's CPU: only the first export of these weights pays it.
            let export = try AdapterExport(name: name, weights: source.weights, sha256Hex: source.digest)
            if source.digest == nil { registry.storeWireDigest(name, generation: source.generation, export.sha256Hex) }
            return export
        } catch { throw .internalError(error.description) }
    }

    public func makeAdapterReceiver(maxPayloadBytes: Int) -> AdapterReceiver {
        AdapterReceiver(maxPayloadBytes: maxPayloadBytes, base: shape, maxRank: config.maxLoRARank)
    }

    /// Registers verified peer weights under the normal residency policy (host LRU, then the active
    /// set on first use). `source` is what `/v1/adapters` shows as the path (`peer:<url>`).
    public func registerAdapter(name: String, received: ReceivedAdapter, source: String, loadSeconds: Double) async throws(ServiceError) -> AdapterInfo {
        guard !name.isEmpty, name != baseModelName else { throw .invalidRequest("invalid lora_name '\(name)'") }
        // Re-check against this engine (the receiver may have been made without limits).
        for (layer, modules) in received.weights.modules.enumerated() {
            guard layer < shape.layers else { throw .adapterInvalid("adapter has \(received.weights.modules.count) layers, the model \(shape.layers)") }
            for (module, m) in modules {
                let (input, output) = shape.dimensions(of: module)
                guard m.input == input, m.output == output, m.rank <= config.maxLoRARank else {
                    throw .adapterInvalid("Failed to load LoRA adapter '\(name)': \(module.hfName) in layer \(layer) does not fit this model")
                }
            }
        }
        return try registry.register(name: name, path: source, adapter: received.weights, loadSeconds: loadSeconds)
    }
}
