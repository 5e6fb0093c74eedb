import Simulator
import Testing

@Suite struct TraceReaderTests {
    @Test func readsAzureCSV() throws {
        let csv = """
        TIMESTAMP,ContextTokens,GeneratedTokens
        2023-11-16 18:15:46.6805900,374,44
        2023-11-16 18:15:50.9951690,396,109
        2023-11-16 18:15:45.1000000,879,0
        2023-11-17 00:00:01.0000000,10,5
        """
        let r = try TraceReader.azure(csv: csv)
        #expect(r.count == 3)  // the zero-output row is dropped
        #expect(r[0] == TraceRecord(arrivalSeconds: 0, promptTokens: 374, outputTokens: 44))
        #expect(abs(r[1].arrivalSeconds - 4.314579) < 1e-6)
        #expect(abs(r[2].arrivalSeconds - (86_400 - 65_746.68059 + 1)) < 1e-4)
    }

    @Test func readsBurstGPT() throws {
        let csv = """
        Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type
        5,ChatGPT,472,18,490,Conversation log
        45,ChatGPT,1087,250,1337,Conversation log
        46,GPT-4,20,0,20,Conversation log
        """
        let r = try TraceReader.burstGPT(csv: csv)
        #expect(r.map(\.arrivalSeconds) == [0, 40])
        #expect(r[1].promptTokens == 1087 && r[1].outputTokens == 250)
    }

    @Test func readsMooncakeJSONL() throws {
        let text = """
        {"timestamp": 27482, "input_length": 6955, "output_length": 52, "hash_ids": [46, 47]}
        {"timestamp": 30535, "input_length": 6472, "output_length": 26, "hash_ids": [46]}
        """
        let r = try TraceReader.mooncake(jsonl: text)
        #expect(r.count == 2)
        #expect(abs(r[1].arrivalSeconds - 3.053) < 1e-9)
        #expect(r[0].promptTokens == 6955 && r[1].outputTokens == 26)
    }

    @Test func reportsErrorsWithContext() {
        #expect(throws: TraceError.missingColumn("ContextTokens", header: "TIMESTAMP,Foo,GeneratedTokens")) {
            try TraceReader.azure(csv: "TIMESTAMP,Foo,GeneratedTokens\n2023-11-16 18:15:46,1,2")
        }
        #expect(throws: TraceError.self) { try TraceReader.burstGPT(csv: "Timestamp,Model,Request tokens,Response tokens\nx,m,1,2") }
        #expect(throws: TraceError.empty) { try TraceReader.mooncake(jsonl: "") }
    }
}
