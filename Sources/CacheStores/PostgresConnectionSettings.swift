import Foundation
import PostgresNIO

/// Builds `PostgresClient.Configuration` from a URL or the libpq environment variables.
public enum PostgresConnectionSettings {
    /// Parses `postgres://user:password@host:port/database?sslmode=disable|prefer|require`
    /// (`postgresql://` too). TLS is off unless `sslmode` asks for it (local CI servers use
    /// self-signed certificates).
    public static func configuration(url: String) throws(CacheStoreError) -> PostgresClient.Configuration {
        guard let c = URLComponents(string: url), let scheme = c.scheme,
              scheme == "postgres" || scheme == "postgresql" else {
            throw .invalidConfiguration("not a postgres:// URL: \(redacted(url))")
        }
        guard let host = c.host, !host.isEmpty else { throw .invalidConfiguration("URL has no host: \(redacted(url))") }
        guard let user = c.user, !user.isEmpty else { throw .invalidConfiguration("URL has no user: \(redacted(url))") }
        let database = c.path.hasPrefix("/") ? String(c.path.dropFirst()) : c.path
        let sslmode = c.queryItems?.first { $0.name == "sslmode" }?.value ?? "disable"
        return try make(host: host, port: c.port ?? 5432, user: user, password: c.password,
                        database: database.isEmpty ? user : database, sslmode: sslmode)
    }

    /// The configuration named by `LORASERVE_TEST_POSTGRES_URL`, else by `PGHOST` (+ `PGPORT`,
    /// `PGUSER`, `PGPASSWORD`, `PGDATABASE`, `PGSSLMODE`); nil when neither is set.
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment)
        throws(CacheStoreError) -> PostgresClient.Configuration? {
        if let url = env["LORASERVE_TEST_POSTGRES_URL"], !url.isEmpty { return try configuration(url: url) }
        guard let host = env["PGHOST"], !host.isEmpty else { return nil }
        let portText = env["PGPORT"] ?? "5432"
        guard let port = Int(portText), (1...65535).contains(port) else {
            throw .invalidConfiguration("PGPORT = \(portText)")
        }
        let user = env["PGUSER"] ?? "postgres"
        return try make(host: host, port: port, user: user, password: env["PGPASSWORD"],
                        database: env["PGDATABASE"] ?? user, sslmode: env["PGSSLMODE"] ?? "disable")
    }

    private static func make(host: String, port: Int, user: String, password: String?, database: String,
                             sslmode: String) throws(CacheStoreError) -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS
        switch sslmode {
        case "disable": tls = .disable
        case "prefer", "allow": tls = .prefer(.makeClientConfiguration())
        case "require", "verify-ca", "verify-full": tls = .require(.makeClientConfiguration())
        default: throw .invalidConfiguration("sslmode = \(sslmode)")
        }
        return PostgresClient.Configuration(host: host, port: port, username: user, password: password,
                                            database: database, tls: tls)
    }

    /// The URL without its password, for error messages and logs.
    public static func redacted(_ url: String) -> String {
        guard var c = URLComponents(string: url), c.password != nil else { return url }
        c.password = "***"
        return c.string ?? "<url>"
    }
}
