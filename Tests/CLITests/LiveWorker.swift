import CLI
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

/// A real `loraserve worker` child process on loopback, stopped on deinit.
final class LiveWorker {
    let process = Process()
    let port: Int
    var baseURL: String { "http://127.0.0.1:\(port)" }

    init(arguments: [String]) throws {
        port = LocalPorts.free()
        guard let executable = CLIRunner.executable else { throw CocoaError(.fileNoSuchFile) }
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["worker", "--port", "\(port)"] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    deinit {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    /// Waits until /health answers 200 (the model is loaded), up to `seconds`.
    func waitUntilHealthy(seconds: Double = 120) async throws -> Bool {
        try await Self.poll(until: Date().addingTimeInterval(seconds), now: { Date() },
                            probe: { [self] in (try? await request("GET", "/health"))?.1 == 200 },
                            alive: { [process] in process.isRunning },
                            pause: { try await Task.sleep(for: .milliseconds(100)) })
    }

    /// Probes until one succeeds. Gives up only when a probe *sent* after `deadline` fails (or the
    /// process is gone), not when an early failure is merely *read* after it: on a loaded run the
    /// test pool can resume the waiting task long after its probe was refused (a local full run
    /// resumed one after 138 s; a CI run failed both live-worker tests that way), with the worker
    /// healthy all along.
    static func poll(until deadline: Date, now: () -> Date, probe: () async -> Bool, alive: () -> Bool,
                     pause: () async throws -> Void) async throws -> Bool {
        while true {
            let asked = now()
            if await probe() { return true }
            guard alive(), asked < deadline else { return false }
            try await pause()
        }
    }

    func request(_ method: String, _ path: String, body: String? = nil, headers: [String: String] = [:]) async throws -> (String, Int) {
        try await Self.request(baseURL: baseURL, method, path, body: body, headers: headers)
    }

    static func request(baseURL: String, _ method: String, _ path: String, body: String? = nil,
                        headers: [String: String] = [:]) async throws -> (String, Int) {
        guard let url = URL(string: baseURL + path) else { throw URLError(.badURL) }
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.timeoutInterval = 30
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        for (k, v) in headers { request.setValue(v, forHTTPHeaderField: k) }
        let (data, response) = try await URLSession.shared.data(for: request)
        return (String(decoding: data, as: UTF8.self), (response as? HTTPURLResponse)?.statusCode ?? 0)
    }
}

extension LiveWorker {
    /// Sends one HTTP/1.1 POST over a raw socket. With `hangUpAfterBytes`, closes the socket after
    /// reading that many response bytes (a client going away mid-stream); otherwise reads to EOF.
    /// Returns the bytes read. Blocking: call from a detached task.
    static func rawPost(port: Int, path: String, body: String, hangUpAfterBytes: Int?) -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return -1 }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return -1 }
        let request = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
        let sent = request.utf8CString.withUnsafeBufferPointer { send(fd, $0.baseAddress, $0.count - 1, 0) }
        guard sent > 0 else { return -1 }
        var total = 0
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            total += n
            if let limit = hangUpAfterBytes, total >= limit { break }
        }
        return total
    }
}
