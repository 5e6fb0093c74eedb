import Foundation
import Hummingbird
import OpenAIWire

/// Bearer-token checks for the inference API (`apiKeys`, vLLM `--api-key`) and for the admin
/// endpoints (`adminToken`). Comparisons take time independent of where the tokens differ.
package struct AccessControl: Sendable {
    let adminToken: String?
    let apiKeys: [String]

    /// `/v1/...` inference and listing calls.
    func authorizeAPI(_ request: Request) throws(APIError) {
        guard !apiKeys.isEmpty else { return }
        guard let presented = Self.bearer(request) else { throw .unauthorized("Missing `Authorization: Bearer <api key>` header.") }
        let accepted = apiKeys + (adminToken.map { [$0] } ?? [])
        // Check every key (no early exit) so timing does not reveal which one came close.
        var matched = false
        for key in accepted where Self.constantTimeEquals(presented, key) { matched = true }
        guard matched else { throw .unauthorized("Invalid API key.") }
    }

    /// `load_lora_adapter` / `unload_lora_adapter`: the admin token when one is configured, else
    /// whatever the inference API requires.
    func authorizeAdmin(_ request: Request) throws(APIError) {
        guard let adminToken else { return try authorizeAPI(request) }
        guard let presented = Self.bearer(request) else {
            throw .unauthorized("Missing `Authorization: Bearer <admin token>` header (admin endpoint).")
        }
        guard Self.constantTimeEquals(presented, adminToken) else { throw .unauthorized("Invalid admin token.") }
    }

    static func bearer(_ request: Request) -> String? {
        guard let value = request.headers[.authorization] else { return nil }
        let parts = value.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : String(token)
    }

    package static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var difference = UInt8(truncatingIfNeeded: x.count ^ y.count)
        for i in 0..<max(x.count, y.count) {
            let p = i < x.count ? x[i] : 0
            let q = i < y.count ? y[i] : 0
            difference |= p ^ q
        }
        return difference == 0 && x.count == y.count
    }
}
