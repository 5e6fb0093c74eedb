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

    @Test func catalogDigestsAreWellFormed() {
        for spec in ModelCatalog.all {
            #expect(spec.wheelSHA256.count == 64)
            for file in spec.files { #expect(file.sha256.count == 64 && file.byteCount > 0) }
        }
        #expect(ModelCatalog.named("smollm2-135m-instruct") == ModelCatalog.smolLM2)
    }
}
