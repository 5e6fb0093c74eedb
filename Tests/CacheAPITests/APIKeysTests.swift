import CacheAPI
import Foundation
import SummaryCache
import Testing

@Suite struct APIKeysTests {
    @Test func parsesKeysAndResolvesCallers() throws {
        let keys = try Fx.keys()
        #expect(keys.caller(authorization: "Bearer sk-acme") == .tenant(TenantID("acme")))
        #expect(keys.caller(authorization: "bearer  sk-globex") == .tenant(TenantID("globex")))
        #expect(keys.caller(authorization: nil, apiKeyHeader: "sk-admin") == .admin)
        #expect(keys.caller(authorization: "Bearer sk-other") == nil)
        #expect(keys.caller(authorization: nil) == nil)
        #expect(try keys.tenant(for: .tenant(TenantID("acme")), named: nil) == TenantID("acme"))
        #expect(throws: CacheAPIError.self) { try keys.tenant(for: .tenant(TenantID("acme")), named: "globex") }
        #expect(try keys.tenant(for: .admin, named: "globex") == TenantID("globex"))
    }

    @Test(arguments: ["{}", #"{"keys": {}}"#, #"{"keys": {"": "t"}}"#, #"{"keys": {"k": "t"}, "admin_keys": ["k"]}"#, "nope"])
    func rejectsBadFiles(_ text: String) {
        #expect(throws: CacheAPIError.self) { try APIKeys.parse(Data(text.utf8)) }
    }

    @Test func openModeIsOneTenant() {
        #expect(APIKeys.open.caller(authorization: nil) == .tenant(APIKeys.openTenant))
    }
}
