import ServeCore
import Testing
import Safetensors

@Suite struct SafetensorsWriterTests {
    @Test(arguments: [SafetensorsDType.f32, .f16, .bf16])
    func floatRoundTrip(dtype: SafetensorsDType) throws {
        var rng = SplitMix64(seed: 7)
        let values = (0..<37).map { _ in rng.nextUnitFloat() * 8 - 4 }
        var writer = SafetensorsWriter(metadata: ["format": "pt", "quote\"key": "line\nbreak"])
        try writer.add(name: "w", shape: [37], floats: values, as: dtype)
        try writer.add(name: "second", shape: [1, 1], floats: [0.5], as: dtype)
        let bytes = writer.serialized()
        let file = try parse(bytes)
        #expect(file.metadata == ["format": "pt", "quote\"key": "line\nbreak"])
        #expect(file.dataOffset % 8 == 0)
        let back = try file.floats("w")
        // Relative error bound of each format's rounding (half an ulp at its mantissa width).
        let tolerance: Float = dtype == .f32 ? 0 : (dtype == .f16 ? 1.0 / 2048 : 1.0 / 256)
        for (a, b) in zip(values, back) { #expect(abs(a - b) <= tolerance * abs(a)) }
        #expect(try file.floats("second") == [0.5])
        #expect(try file.info("second").shape == [1, 1])
    }

    @Test func bf16RoundsToNearestEven() {
        #expect(SafetensorsFile.bf16FromFloat(1.0) == 0x3F80)
        // 1 + 2^-8 is exactly halfway between 1 and 1 + 2^-7: ties to even (1.0).
        #expect(SafetensorsFile.bf16FromFloat(1 + 0x1p-8) == 0x3F80)
        #expect(SafetensorsFile.bf16FromFloat(1 + 0x1p-8 + 0x1p-12) == 0x3F81)
        #expect(SafetensorsFile.floatFromBF16(SafetensorsFile.bf16FromFloat(.nan)).isNaN)
        #expect(SafetensorsFile.floatFromBF16(0xC000) == -2)
    }

    @Test func rejectsDuplicatesAndBadSizes() throws {
        var writer = SafetensorsWriter()
        try writer.add(name: "a", shape: [2], floats: [1, 2])
        #expect(throws: SafetensorsError.duplicateTensor(name: "a")) { try writer.add(name: "a", shape: [2], floats: [1, 2]) }
        #expect(throws: SafetensorsError.duplicateTensor(name: "__metadata__")) {
            try writer.add(name: "__metadata__", shape: [1], floats: [1])
        }
        #expect(throws: SafetensorsError.sizeMismatch(tensor: "b", expectedBytes: 12, actualBytes: 8)) {
            try writer.add(name: "b", shape: [3], floats: [1, 2])
        }
        // A rejected add leaves the name free.
        try writer.add(name: "b", shape: [2], floats: [1, 2])
        #expect(try parse(writer.serialized()).tensors.count == 2)
    }

    @Test func writerOutputMatchesReferenceLayout() throws {
        // Same tensors as the Python fixture: the reader sees identical contents.
        var writer = SafetensorsWriter(metadata: ["format": "pt"])
        try writer.add(name: "a.weight", shape: [2, 3], floats: [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5])
        try writer.add(name: "c", shape: [2], floats: [0.1, 3])
        try writer.add(name: "b", shape: [3], floats: [1.5, -2, 65504], as: .f16)
        let ours = try parse(writer.serialized())
        let reference = try parse(pythonFixture)
        for name in reference.tensors.keys {
            let a = try ours.info(name), b = try reference.info(name)
            #expect(a.dtype == b.dtype && a.shape == b.shape)
            #expect(Array(ours.data(of: a)) == Array(reference.data(of: b)))
        }
    }
}
