import Controller
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Placement

/// A controller over three in-memory workers, with helpers to register adapters and drive loops.
struct Fleet {
    static let urls = ["http://w1", "http://w2", "http://w3"]
    let transport: InMemoryWorkerTransport
    let controller: Controller

    init(adminToken: String? = nil, workers: [String] = Fleet.urls, configure: (inout ControllerConfig) -> Void = { _ in }) async {
        transport = InMemoryWorkerTransport(workers: workers, baseModel: "base")
        var config = ControllerConfig()
        config.workers = workers
        config.adminToken = adminToken
        config.baseModel = "base"
        configure(&config)
        controller = Controller(config: config, transport: transport)
        await controller.checkHealth()
        await controller.scrapeAll()
    }

    func register(_ name: String, rank: Int) async throws {
        try await controller.state.register(adapter: AdapterRecord(name: name, path: "/adapters/\(name)", rank: rank,
                                                                   bytes: AdapterRecord.estimatedBytes(rank: rank)))
    }

    /// Loads `name` on the fake worker and adds it to the routing map.
    func place(_ name: String, on url: String) async throws {
        try await transport.loadAdapter(url, name: name, path: "/adapters/\(name)")
        await controller.state.addReplica(name, on: url)
    }

    func app() -> some ApplicationProtocol {
        Application(router: ControllerServer(controller: controller).makeRouter())
    }

    static func completion(_ model: String, stream: Bool = false) -> ByteBuffer {
        ByteBuffer(string: #"{"model":"\#(model)","prompt":"Hello","max_tokens":8,"stream":\#(stream)}"#)
    }
}

extension ByteBuffer {
    var text: String { String(buffer: self) }
}
