import Testing
import Foundation
@testable import ModelStore
import ServeCore

@Suite struct SHA256Tests {
    private func hex(_ s: String) -> String { Array(s.utf8).withUnsafeBytes { SHA256.hex($0) } }

    @Test func knownVectors() {
        #expect(hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func streamingEqualsOneShot() {
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let oneShot = bytes.withUnsafeBytes { SHA256.hex($0) }
        for split in [0, 1, 63, 64, 65, 500, 999] {
            var h = SHA256()
            h.update(Array(bytes[..<split]))
            h.update(Array(bytes[split...]))
            let streamed = h.finalize().map { String(format: "%02x", $0) }.joined()
            #expect(streamed == oneShot, "split at \(split)")
        }
    }
}

/// The SHA-NI block function (CSHA256) against the portable compression function, its scalar twin.
@Suite struct SHA256AcceleratedTests {
    @Test(arguments: [0, 1, 55, 56, 63, 64, 65, 127, 128, 1000, 4096 + 17, 100_003])
    func acceleratedEqualsPortable(length: Int) {
        var rng = SplitMix64(seed: UInt64(length) &+ 7)
        let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        var fast = SHA256(), portable = SHA256()
        portable.portableOnly = true
        // Uneven chunks so both the pending-buffer and bulk paths run.
        var i = 0, step = 1
        while i < bytes.count {
            let j = min(bytes.count, i + step)
            fast.update(Array(bytes[i..<j]))
            portable.update(Array(bytes[i..<j]))
            i = j
            step = step * 3 + 1
        }
        #expect(fast.finalize() == portable.finalize())
    }
}
