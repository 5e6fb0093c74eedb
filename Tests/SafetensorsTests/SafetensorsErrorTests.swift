import ServeCore
import Testing
import Safetensors

/// Each malformed input maps to its typed error.
@Suite struct SafetensorsErrorTests {
    static let tensor = #""t":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}"#

    @Test func truncatedPrefix() {
        #expect(throws: SafetensorsError.truncatedPrefix(byteCount: 3)) { try parse([1, 2, 3]) }
    }

    @Test func hugeHeaderLength() {
        #expect(throws: SafetensorsError.headerTooLarge(declared: UInt64.max, limit: SafetensorsFile.defaultMaxHeaderBytes)) {
            try parse(rawFile(header: "{}", declaredLength: UInt64.max))
        }
    }

    @Test func headerPastEndOfFile() {
        #expect(throws: SafetensorsError.truncatedHeader(declared: 100, available: 2)) {
            try parse(rawFile(header: "{}", declaredLength: 100))
        }
    }

    @Test func truncatedData() {
        let bytes = rawFile(header: "{\(Self.tensor)}", data: [0, 0, 0, 0, 0, 0, 0])
        #expect(throws: SafetensorsError.offsetOutOfRange(tensor: "t", begin: 0, end: 8, dataBytes: 7)) { try parse(bytes) }
    }

    @Test(arguments: [
        "", "{", "[]x", "{\"a\":}", "{\"a\" 1}", "{\"a\":1,}", "{\"a\":\"\\x\"}", "{\"a\":\"\u{01}\"}",
        "{\"a\":tru}", "{\"a\":01x}", "{\"a\":\"\\ud800\"}", "{\"a\":1,\"a\":2}", "{\"a\":-}", "{\"a\":1.}",
        String(repeating: "[", count: 200),
    ])
    func invalidJSON(header: String) {
        #expect {
            try parse(rawFile(header: header, data: []))
        } throws: { error in
            if case .invalidJSON = error as? SafetensorsError { return true }
            return false
        }
    }

    @Test func invalidUTF8InHeader() {
        var bytes = rawFile(header: #"{"ab":{}}"#)
        bytes[10] = 0xFF  // inside the key
        #expect {
            try parse(bytes)
        } throws: { error in
            if case .invalidJSON = error as? SafetensorsError { return true }
            return false
        }
    }

    @Test(arguments: [
        #"[1]"#,
        #"{"t":[]}"#,
        #"{"t":{"dtype":"F32","shape":[2]}}"#,
        #"{"t":{"dtype":3,"shape":[2],"data_offsets":[0,8]}}"#,
        #"{"t":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#,
        #"{"t":{"dtype":"F32","shape":[2.0],"data_offsets":[0,8]}}"#,
        #"{"t":{"dtype":"F32","shape":[2],"data_offsets":[0]}}"#,
        #"{"t":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"extra":1}}"#,
        #"{"t":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}}"#,
        #"{"t":{"dtype":"F32","shape":[2],"data_offsets":[0,99999999999999999999]}}"#,
        #"{"__metadata__":{"k":1}}"#,
        #"{"__metadata__":[]}"#,
    ])
    func invalidSchema(header: String) {
        #expect {
            try parse(rawFile(header: header, data: [UInt8](repeating: 0, count: 8)))
        } throws: { error in
            if case .invalidHeader = error as? SafetensorsError { return true }
            return false
        }
    }

    @Test func unknownDType() {
        #expect(throws: SafetensorsError.unknownDType(tensor: "t", dtype: "F33")) {
            try parse(rawFile(header: #"{"t":{"dtype":"F33","shape":[2],"data_offsets":[0,8]}}"#, data: [UInt8](repeating: 0, count: 8)))
        }
    }

    @Test func shapeSizeMismatch() {
        #expect(throws: SafetensorsError.sizeMismatch(tensor: "t", expectedBytes: 12, actualBytes: 8)) {
            try parse(rawFile(header: #"{"t":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: [UInt8](repeating: 0, count: 8)))
        }
    }

    @Test func reversedOffsets() {
        #expect(throws: SafetensorsError.offsetOutOfRange(tensor: "t", begin: 8, end: 0, dataBytes: 8)) {
            try parse(rawFile(header: #"{"t":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}"#, data: [UInt8](repeating: 0, count: 8)))
        }
    }

    @Test func overlappingTensors() {
        let header = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#
        #expect(throws: SafetensorsError.overlappingTensors(first: "a", second: "b")) {
            try parse(rawFile(header: header, data: [UInt8](repeating: 0, count: 8)))
        }
    }

    @Test func headerLimitIsConfigurable() {
        let bytes = rawFile(header: "{}    ")
        #expect(throws: SafetensorsError.headerTooLarge(declared: 6, limit: 4)) {
            try SafetensorsFile(bytes: ReadOnlyBytes(copying: bytes), maxHeaderBytes: 4)
        }
    }

    @Test func descriptionsNameTheContext() {
        let error = SafetensorsError.sizeMismatch(tensor: "layer.0.w", expectedBytes: 12, actualBytes: 8)
        #expect(error.description.contains("layer.0.w") && error.description.contains("12"))
    }
}
