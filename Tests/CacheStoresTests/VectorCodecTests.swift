import CacheStores
import Foundation
import Testing

@Suite("VectorCodec")
struct VectorCodecTests {
    @Test func littleEndianFloat32Layout() {
        #expect(Array(VectorCodec.encode([1.0, -2.0])) == [0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0])
    }

    @Test(arguments: [0, 1, 7, 384])
    func roundTripIsBitExact(dimensions: Int) throws {
        // Arbitrary bit patterns (a fixed LCG), NaN payloads and subnormals included.
        var state: UInt32 = 0x9E37_79B9
        var v = (0..<dimensions).map { _ -> Float in
            state = state &* 1_664_525 &+ 1_013_904_223
            return Float(bitPattern: state)
        }
        if dimensions > 3 { v[0] = -0.0; v[1] = .infinity; v[2] = .leastNonzeroMagnitude }
        let back = try VectorCodec.decode(VectorCodec.encode(v), dimensions: dimensions, entryID: 1)
        #expect(back.map(\.bitPattern) == v.map(\.bitPattern))
    }

    @Test func wrongLengthThrows() {
        #expect(throws: CacheStoreError.corruptVector(entryID: 9, bytes: 6, expectedDimensions: 2)) {
            _ = try VectorCodec.decode(Data([1, 2, 3, 4, 5, 6]), dimensions: 2, entryID: 9)
        }
    }
}
