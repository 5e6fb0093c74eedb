import Foundation

/// Reads the JSON files the CLI is given (workloads, results, calibrations) with one set of
/// error messages: "cannot read WHAT PATH: …" and "WHAT PATH is not valid: …".
enum JSONFile {
    static func data(_ path: String, what: String) throws -> Data {
        do { return try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw CLIError("cannot read \(what) \(path): \(error.localizedDescription)")
        }
    }

    /// `snakeCase`: keys are snake_case on disk, camelCase in `T`.
    static func decode<T: Decodable>(_ type: T.Type, from path: String, what: String, snakeCase: Bool = false) throws -> T {
        let bytes = try data(path, what: what)
        let decoder = JSONDecoder()
        if snakeCase { decoder.keyDecodingStrategy = .convertFromSnakeCase }
        do { return try decoder.decode(T.self, from: bytes) } catch {
            throw CLIError("\(what) \(path) is not valid: \(error)")
        }
    }
}
