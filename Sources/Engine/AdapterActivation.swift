import LoRAAdapters
import ModelStore

/// Loads (disk → host) and prepares (host → active, padded per compute mode) one adapter on a
/// background task, so a running step never waits for file I/O or copies; wakes the loop after.
enum AdapterActivation {
    static func start(name: String, host: LoRAAdapter?, path: String, engine: BatchEngine, inUse: Set<String>) {
        let registry = engine.registry
        let capacity = registry.capacityRank
        let root = engine.adapterRoot, shape = engine.shape, maxRank = engine.config.maxLoRARank
        let clock = ContinuousClock()
        Task.detached(priority: .userInitiated) { [weak engine] in
            let started = clock.now
            let weights: LoRAAdapter
            if let host {
                weights = host
            } else {
                do throws(AdapterError) { weights = try AdapterFiles.load(path: path, root: root, base: shape, maxRank: maxRank) } catch {
                    registry.activationFailed(name)
                    engine?.inbox.post(.wake)
                    return
                }
            }
            let prepared = PreparedAdapter(weights, capacityRank: capacity)
            let seconds = (clock.now - started).seconds
            if !registry.activate(name, host: weights, prepared: prepared, loadSeconds: host == nil ? seconds : nil,
                                  fromDisk: host == nil, inUse: inUse) {
                registry.activationFailed(name)
            }
            engine?.inbox.post(.wake)
        }
    }
}
