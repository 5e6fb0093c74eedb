import Testing
@testable import ServeCore

@Suite struct SplitMix64Tests {
    @Test func sameSeedSameSequence() {
        var a = SplitMix64(seed: 42), b = SplitMix64(seed: 42)
        for _ in 0..<100 { #expect(a.next() == b.next()) }
    }
    @Test func unitFloatInRange() {
        var g = SplitMix64(seed: 7)
        for _ in 0..<10_000 { let x = g.nextUnitFloat(); #expect(x >= 0 && x < 1) }
    }
}

@Suite struct SamplingParametersTests {
    @Test(arguments: [Float(-1), .nan, .infinity])
    func rejectsBadTemperature(_ t: Float) {
        #expect(throws: SamplingParameters.ValidationError.self) { try SamplingParameters(temperature: t).validate() }
    }
    @Test func defaultsAreValid() throws { try SamplingParameters().validate() }
    @Test func rankRejectsZero() { #expect(Rank(0) == nil); #expect(Rank(8)?.value == 8) }
}

@Suite struct ReadOnlyBytesTests {
    @Test func copiesAndReleases() {
        let b = ReadOnlyBytes(copying: [1, 2, 3] as [UInt8])
        #expect(b.count == 3)
        #expect(Array(b.buffer) == [1, 2, 3])
    }
}
