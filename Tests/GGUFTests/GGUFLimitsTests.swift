import GGUF
import Testing

@Suite struct GGUFLimitsTests {
    @Test func dimensionsStayWithinFourToEight() {
        #expect(GGUFLimits().maxDimensions == 4)
        #expect(GGUFLimits(maxDimensions: 2).maxDimensions == 4)
        #expect(GGUFLimits(maxDimensions: 99).maxDimensions == 8)
        #expect(GGUFLimits(maxNestingDepth: 0).maxNestingDepth == 1)
    }
}
