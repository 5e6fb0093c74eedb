import CacheAPI
import Controller
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import QAPipeline
import Testing

/// The summary-cache API as `loraserve controller` and `up` serve it: mounted on the controller's
/// front door (`ControllerServer(extraRoutes:)`), beside the OpenAI and fleet routes.
@Suite struct ControllerMountTests {
    /// No worker is configured, so nothing is ever sent; an `HTTPWorkerTransport` would need a shutdown.
    struct NoWorkers: WorkerTransport {
        func health(_ worker: String, timeoutSeconds: Double) async -> HealthResult { .healthy }
        func scrape(_ worker: String) async throws(TransportError) -> WorkerScrape { WorkerScrape() }
        func loadAdapter(_ worker: String, name: String, path: String) async throws(TransportError) {}
        func unloadAdapter(_ worker: String, name: String) async throws(TransportError) {}
        func forward(_ worker: String, path: String, body: [UInt8], headers: [(String, String)]) async throws(TransportError) -> WorkerResponse {
            .complete(status: 200, [])
        }
    }

    static func frontDoor(_ service: SummaryCacheService) -> some ApplicationProtocol {
        var config = ControllerConfig()
        config.adminToken = "fleet-admin"
        let controller = Controller(config: config, transport: NoWorkers())
        return Application(router: ControllerServer(controller: controller, extraRoutes: CacheAPIServer.routes(service)).makeRouter())
    }

    @Test func qaStoreLookupAndStatsAnswerOnTheControllersFrontDoor() async throws {
        let llm = StubLLM()
        try await Self.frontDoor(try Fx.service(llm: llm)).test(.router) { client in
            try await client.execute(uri: "/v1/qa", method: .post, headers: Fx.acme, body: QAEndpointTests.ask(Fx.question)) { r in
                #expect(r.status == .ok)
                let reply = try Fx.decode(QAReply.self, r.body)
                #expect(reply.answer == "Rollo" && reply.documents.first?.outcome == .miss)
            }
            try await client.execute(uri: "/v1/qa", method: .post, headers: Fx.acme, body: QAEndpointTests.ask(Fx.paraphrase)) { r in
                let reply = try Fx.decode(QAReply.self, r.body)
                #expect(reply.documents.first?.outcome == .hit)
                #expect(reply.documents.first?.reusedQuestion == Fx.question)
            }
            try await client.execute(uri: "/v1/summary-cache/store", method: .post, headers: Fx.acme, body: Fx.storeBody()) { r in
                #expect(r.status == .ok)
            }
            try await client.execute(uri: "/v1/summary-cache/lookup", method: .post, headers: Fx.acme, body: Fx.lookupBody()) { r in
                #expect(r.status == .ok)
                let lookup = try Fx.decode(SummaryLookup.self, r.body)
                #expect(lookup.hit != nil)
            }
            try await client.execute(uri: "/v1/summary-cache/stats", method: .get, headers: Fx.acme) { r in
                #expect(r.status == .ok)
                let acme = try #require(try Fx.decode(StatsReply.self, r.body).tenants.first)
                #expect(acme.tenant == "acme" && acme.hits >= 1)
            }
            // The cache's keys guard its routes there too, with an OpenAI-style error body.
            try await client.execute(uri: "/v1/summary-cache/stats", method: .get, headers: [.authorization: "Bearer fleet-admin"]) { r in
                #expect(r.status == .unauthorized)
                let body = try #require(try JSONSerialization.jsonObject(with: Data(buffer: r.body)) as? [String: Any])
                let error = try #require(body["error"] as? [String: Any])
                #expect(error["type"] as? String == "authentication_error")
                #expect(error["message"] is String)
            }
        }
        #expect(await llm.summaryCalls == 1, "the paraphrase reused the summary")
    }

    @Test func theControllersOwnRoutesStayServedBesideTheCacheAPI() async throws {
        try await Self.frontDoor(try Fx.service()).test(.router) { client in
            try await client.execute(uri: "/health", method: .get) { r in
                #expect(r.status == .serviceUnavailable, "no worker is up")
            }
            try await client.execute(uri: "/v1/models", method: .get) { r in
                #expect(r.status == .ok)
            }
            try await client.execute(uri: "/metrics", method: .get) { r in
                #expect(r.status == .ok)
            }
            // Fleet admin keeps its own token: a cache tenant key does not open it.
            try await client.execute(uri: "/v1/loras", method: .get, headers: Fx.acme) { r in
                #expect(r.status == .unauthorized || r.status == .forbidden)
            }
            try await client.execute(uri: "/v1/loras", method: .get, headers: [.authorization: "Bearer fleet-admin"]) { r in
                #expect(r.status == .ok)
            }
        }
    }
}
