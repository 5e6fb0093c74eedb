import QAPipeline
import SummaryCache
import Testing

@Suite("BM25Index")
struct BM25IndexTests {
    func index() -> BM25Index {
        var i = BM25Index()
        i.add(DocumentID("normans"), text: "The Normans descended from Norse raiders led by Rollo. Normandy is in France.")
        i.add(DocumentID("complexity"), text: "Computational complexity theory classifies problems by time and space.")
        i.add(DocumentID("sky"), text: "Sky UK is a broadcaster. Sky launched digital television in 1998.")
        return i
    }

    @Test("the document sharing the query's rare words ranks first")
    func ranksByTermMatch() {
        let hits = index().search("Who led the Norse raiders?", k: 3)
        #expect(hits.first?.id == DocumentID("normans"))
        #expect(hits.count == 1)
        let tv = index().search("When did Sky launch digital television?", k: 3)
        #expect(tv.first?.id == DocumentID("sky"))
    }

    @Test("term frequency counts, saturating; a shorter document wins a tie in matches")
    func termFrequencyAndLength() {
        var i = BM25Index()
        i.add(DocumentID("once"), text: "rollo " + String(repeating: "filler ", count: 20))
        i.add(DocumentID("twice"), text: "rollo rollo " + String(repeating: "filler ", count: 19))
        i.add(DocumentID("short"), text: "rollo filler")
        i.add(DocumentID("none"), text: "nothing here")
        let hits = i.search("rollo", k: 4)
        #expect(hits.map(\.id.rawValue) == ["short", "twice", "once"])
        #expect(hits[0].score > hits[1].score && hits[1].score > hits[2].score)
    }

    @Test("replacing and removing documents updates the statistics")
    func replaceAndRemove() {
        var i = index()
        i.add(DocumentID("sky"), text: "Rollo Rollo Rollo")
        #expect(i.search("Rollo", k: 1).first?.id == DocumentID("sky"))
        i.remove(DocumentID("sky"))
        #expect(i.count == 2)
        #expect(i.search("Rollo", k: 3).map(\.id) == [DocumentID("normans")])
        #expect(i.search("television", k: 3).isEmpty)
    }
}
