import GGUF
import Testing

@Suite struct GGUFValueTests {
    @Test func integerAccessorsWidenEveryIntegerCase() {
        let ints: [GGUFValue] = [.uint8(7), .int8(7), .uint16(7), .int16(7), .uint32(7), .int32(7), .uint64(7), .int64(7)]
        for value in ints {
            #expect(value.int == 7)
            #expect(value.float == 7)
        }
        #expect(GGUFValue.int8(-3).int == -3)
        #expect(GGUFValue.uint64(.max).int == nil)
        #expect(GGUFValue.string("7").int == nil)
        #expect(GGUFValue.float32(1.5).int == nil)
    }

    @Test func scalarAccessors() {
        #expect(GGUFValue.float32(0.5).float == 0.5)
        #expect(GGUFValue.float64(1e300).float == 1e300)
        #expect(GGUFValue.bool(true).bool == true)
        #expect(GGUFValue.uint8(1).bool == nil)
        #expect(GGUFValue.string("llama").string == "llama")
        #expect(GGUFValue.bool(false).string == nil)
    }

    @Test func arrayAccessorsRequireHomogeneousElements() {
        let strings = GGUFValue.array([.string("a"), .string("b")])
        #expect(strings.strings == ["a", "b"])
        #expect(strings.ints == nil)
        #expect(strings.array?.count == 2)
        let ints = GGUFValue.array([.int32(-1), .uint8(2)])
        #expect(ints.ints == [-1, 2])
        #expect(ints.strings == nil)
        let floats = GGUFValue.array([.float32(1.5), .float64(2.5)])
        #expect(floats.floats == [1.5, 2.5])
        #expect(GGUFValue.array([.float32(1), .int32(1)]).floats == nil)
        #expect(GGUFValue.string("x").strings == nil)
        #expect(GGUFValue.array([]).strings == [])
    }
}
