import QAPipeline
import SummaryCache

/// The documents each tenant loaded for retrieval (`POST /v1/qa/corpus`), in memory. A tenant's
/// questions only ever search its own corpus.
actor TenantCorpora {
    private var corpora: [TenantID: QACorpus] = [:]

    /// Adds `documents` (replacing the whole corpus with `replace`); returns the ids whose text
    /// changed and the new document count.
    func load(_ documents: [QADocument], for tenant: TenantID, replace: Bool,
              limit: Int) throws(CacheAPIError) -> (changed: [DocumentID], total: Int) {
        var corpus = replace ? QACorpus() : corpora[tenant] ?? QACorpus()
        let old = corpora[tenant] ?? QACorpus()
        var changed: [DocumentID] = []
        for d in documents {
            if let previous = old.documents[d.id], previous.text != d.text { changed.append(d.id) }
            corpus.remove(d.id)
            corpus.add(d)
        }
        guard corpus.count <= limit else {
            throw .badRequest("A corpus holds at most \(limit) documents (this would make \(corpus.count)).", param: "documents")
        }
        corpora[tenant] = corpus
        return (changed, corpus.count)
    }

    func retrieve(_ question: String, k: Int, for tenant: TenantID) -> [QADocument]? {
        guard let corpus = corpora[tenant], corpus.count > 0 else { return nil }
        return corpus.retrieve(question, k: k)
    }
}
