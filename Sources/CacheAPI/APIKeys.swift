import Foundation
import SummaryCache

/// Who is calling: a tenant's key (acts for that tenant only) or an admin key (acts for the tenant
/// its request names, and sees every tenant's stats).
public enum CacheCaller: Sendable, Equatable {
    case tenant(TenantID)
    case admin
}

/// API key → tenant map of the summary-cache API, loaded from a JSON file:
///
/// ```json
/// {"keys": {"sk-acme-1": "acme", "sk-globex": "globex"}, "admin_keys": ["sk-ops"]}
/// ```
///
/// `open` (no keys file) serves one anonymous tenant, `default`, to every caller: fine on a
/// loopback-only development box, never for a shared server.
public struct APIKeys: Sendable, Equatable {
    public let tenants: [String: TenantID]
    public let adminKeys: Set<String>
    /// True when no keys were configured: every request is tenant `default`.
    public let isOpen: Bool

    public init(tenants: [String: TenantID], adminKeys: Set<String> = []) {
        self.tenants = tenants
        self.adminKeys = adminKeys
        isOpen = false
    }

    private init(open: Void) {
        tenants = [:]
        adminKeys = []
        isOpen = true
    }

    /// No authentication: every caller is tenant `default`.
    public static let open = APIKeys(open: ())
    public static let openTenant = TenantID("default")

    struct File: Decodable {
        var keys: [String: String]
        var admin_keys: [String]?
    }

    /// Parses the keys file's JSON. Rejects empty keys or tenant names and a key that is both a
    /// tenant key and an admin key.
    public static func parse(_ data: Data, path: String = "<keys>") throws(CacheAPIError) -> APIKeys {
        let file: File
        do { file = try JSONDecoder().decode(File.self, from: data) } catch {
            throw .invalidKeysFile(path: path, reason: "expected {\"keys\": {KEY: TENANT}, \"admin_keys\": [KEY]}: \(error)")
        }
        var tenants: [String: TenantID] = [:]
        for (key, tenant) in file.keys {
            guard !key.isEmpty, !tenant.isEmpty else { throw .invalidKeysFile(path: path, reason: "empty key or tenant name") }
            tenants[key] = TenantID(tenant)
        }
        let admins = Set(file.admin_keys ?? [])
        guard !admins.contains("") else { throw .invalidKeysFile(path: path, reason: "empty admin key") }
        guard admins.isDisjoint(with: tenants.keys) else {
            throw .invalidKeysFile(path: path, reason: "a key is both a tenant key and an admin key")
        }
        guard !tenants.isEmpty || !admins.isEmpty else { throw .invalidKeysFile(path: path, reason: "no keys") }
        return APIKeys(tenants: tenants, adminKeys: admins)
    }

    public static func load(path: String) throws(CacheAPIError) -> APIKeys {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .invalidKeysFile(path: path, reason: "cannot read the file")
        }
        return try parse(data, path: path)
    }

    /// The caller behind an `Authorization: Bearer KEY` header (also `x-api-key: KEY`); nil for a
    /// missing or unknown key.
    public func caller(authorization: String?, apiKeyHeader: String? = nil) -> CacheCaller? {
        if isOpen { return .tenant(Self.openTenant) }
        var key = apiKeyHeader
        if let authorization {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" { key = String(parts[1]).trimmingCharacters(in: .whitespaces) }
        }
        guard let key, !key.isEmpty else { return nil }
        if adminKeys.contains(key) { return .admin }
        return tenants[key].map { .tenant($0) }
    }

    /// The tenant a request acts for: a tenant key acts for its own tenant (naming another one is
    /// 403); an admin key must name one.
    public func tenant(for caller: CacheCaller, named: String?) throws(CacheAPIError) -> TenantID {
        switch caller {
        case let .tenant(own):
            if let named, named != own.rawValue { throw .forbidden(own: own, requested: named) }
            return own
        case .admin:
            guard let named, !named.isEmpty else { throw .badRequest("An admin key must name the tenant (\"tenant\").", param: "tenant") }
            return TenantID(named)
        }
    }
}
