import Controller
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import OpenAIWire
import Testing

@Suite struct FrontDoorTests {
    static let auth: HTTPFields = [.authorization: "Bearer secret"]

    @Test func fleetAPIRequiresTheAdminToken() async throws {
        let fleet = await Fleet(adminToken: "secret")
        try await fleet.app().test(.router) { client in
            let body = ByteBuffer(string: #"{"name":"tok","path":"/adapters/tok","rank":32}"#)
            try await client.execute(uri: "/v1/loras", method: .post, body: body) { r in
                #expect(r.status == .unauthorized)
                #expect(r.body.text.contains("authentication_error"))
            }
            try await client.execute(uri: "/v1/loras", method: .post, headers: Self.auth, body: body) { r in
                #expect(r.status == .created)
                let info = try JSONDecoder().decode(LoRAInfo.self, from: Data(r.body.text.utf8))
                #expect(info.rank == 32 && info.placement.count == 1)
            }
            try await client.execute(uri: "/v1/loras", method: .post, headers: Self.auth, body: body) { r in
                #expect(r.status == .conflict)
            }
            try await client.execute(uri: "/v1/loras", method: .get, headers: Self.auth) { r in
                #expect(r.status == .ok)
                let list = try JSONDecoder().decode(LoRAList.self, from: Data(r.body.text.utf8))
                #expect(list.data.map(\.name) == ["tok"])
                #expect(list.data[0].residency.count == 1)
            }
            try await client.execute(uri: "/v1/models", method: .get) { r in
                let models = try JSONDecoder().decode(ModelList.self, from: Data(r.body.text.utf8))
                #expect(models.data.map(\.id) == ["base", "tok"])
                #expect(models.data[1].parent == "base")
            }
            try await client.execute(uri: "/v1/loras/tok", method: .delete, headers: Self.auth) { r in #expect(r.status == .ok) }
            try await client.execute(uri: "/v1/loras/tok", method: .delete, headers: Self.auth) { r in #expect(r.status == .notFound) }
        }
        #expect(fleet.transport.events.map(\.kind) == ["load", "unload"])
    }

    @Test func openAIShapedErrors() async throws {
        let fleet = await Fleet()
        try await fleet.app().test(.router) { client in
            try await client.execute(uri: "/v1/completions", method: .post, body: ByteBuffer(string: "{nope")) { r in
                #expect(r.status == .badRequest)
                let e = try JSONDecoder().decode(APIError.self, from: Data(r.body.text.utf8))
                #expect(e.error.type == "invalid_request_error")
            }
            try await client.execute(uri: "/v1/completions", method: .post, body: Fleet.completion("ghost")) { r in
                #expect(r.status == .notFound)
                #expect(r.body.text.contains("model_not_found"))
            }
        }
    }

    @Test func streamsPassThroughAsSSE() async throws {
        let fleet = await Fleet()
        try await fleet.register("st", rank: 16)
        await fleet.controller.placementStep(force: true)
        try await fleet.app().test(.router) { client in
            try await client.execute(uri: "/v1/completions", method: .post, body: Fleet.completion("st", stream: true)) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.contentType] == "text/event-stream")
                var parser = ServerSentEvents.Parser()
                let events = parser.feed(Array(r.body.text.utf8))
                #expect(events.count == 4 && events.last == "[DONE]")
            }
            try await client.execute(uri: "/health", method: .get) { r in #expect(r.status == .ok) }
        }
    }

    @Test func metricsAndDashboardRender() async throws {
        let fleet = await Fleet()
        try await fleet.register("m8", rank: 8)
        try await fleet.register("m128", rank: 128)
        await fleet.controller.placementStep(force: true)
        _ = await fleet.controller.proxy(path: "/v1/completions", body: Array(Fleet.completion("m8").text.utf8))
        try await fleet.app().test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { r in
                let text = r.body.text
                #expect(text.contains("loraserve_controller_worker_up{worker=\"http://w1\"} 1"))
                #expect(text.contains("loraserve_controller_adapter_requests_total{adapter=\"m8\"} 1"))
                #expect(text.contains("loraserve_controller_placement_actions_total{kind=\"load\"} 2"))
                #expect(text.contains("loraserve_controller_first_byte_seconds_count 1"))
                // Our own text parses with our own parser.
                #expect(PrometheusText.parse(text).sum("loraserve_controller_routed_requests_total") == 1)
            }
            try await client.execute(uri: "/dashboard", method: .get) { r in
                let html = r.body.text
                #expect(html.contains("http-equiv=\"refresh\""))
                #expect(html.contains("m128") && html.contains("hsl(0,"))
            }
            try await client.execute(uri: "/v1/placement/actions", method: .get) { r in
                #expect(r.body.text.contains("\"kind\":\"load\""))
            }
        }
    }

    @Test func workersSelfRegister() async throws {
        let fleet = await Fleet(workers: [])
        fleet.transport.update("http://late") { $0.up = true }
        try await fleet.app().test(.router) { client in
            try await client.execute(uri: "/health", method: .get) { r in #expect(r.status == .serviceUnavailable) }
            try await client.execute(uri: "/v1/workers/register", method: .post, body: ByteBuffer(string: #"{"url":"http://late"}"#)) { r in
                #expect(r.body.text.contains("registered"))
            }
            try await client.execute(uri: "/health", method: .get) { r in #expect(r.status == .ok) }
        }
    }
}

@Suite struct RegistrationTests {
    @Test func silentRegisteredWorkersExpireButConfiguredOnesStay() async throws {
        let fleet = await Fleet(workers: ["http://static"])
        #expect(await fleet.controller.state.register(worker: "http://dyn", now: 0))
        #expect(await fleet.controller.state.register(worker: "http://dyn", now: 1) == false)  // heartbeat
        // Both down (never healthy): only the registered one is forgotten after the expiry.
        #expect(await fleet.controller.state.expireRegistered(now: 30, after: 60).isEmpty)
        #expect(await fleet.controller.state.expireRegistered(now: 100, after: 60) == ["http://dyn"])
        #expect(await fleet.controller.state.workerURLs == ["http://static"])
    }
}
