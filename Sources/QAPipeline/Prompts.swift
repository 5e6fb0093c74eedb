/// Every prompt of the QA pipeline, in one place (documented in docs/qa-pipeline.md). Changing a
/// prompt changes what a cached summary means: bump `version`, which the pipeline appends to every
/// document version in the cache key, so summaries written under other prompts are never reused.
public enum Prompts {
    /// Bumped whenever the summary prompt changes (old summaries were written under other rules).
    public static let version = "qa-prompts-v1"

    /// Said by the model when the notes do not contain the answer; the evaluator scores it as the
    /// "no answer" prediction of SQuAD 2.0.
    public static let unanswerable = "unanswerable"

    // MARK: Query-aware summary (cached)

    public static let summarySystem = """
        You write short notes about a document for a reader with one question. \
        Copy the sentences of the document that answer the question, keeping names, numbers and dates exactly. \
        Use at most three sentences. Do not answer from your own knowledge.
        """

    public static func summaryUser(question: String, document: QADocument) -> String {
        var s = "Question: \(question)\n\nDocument"
        if let title = document.title { s += " (\(title))" }
        s += ":\n\(document.text)\n\nNotes:"
        return s
    }

    // MARK: Answer from the summaries (never cached: it depends on the exact question)

    public static let answerSystem = """
        Answer the question from the notes only. Reply with the answer alone: a name, number, date or short phrase, \
        not a sentence. If the notes do not give the answer, reply exactly: \(unanswerable)
        """

    public static func answerUser(question: String, summaries: [String]) -> String {
        // One worked example: small models copy its shape (a bare short answer) far more reliably
        // than they follow the instruction alone.
        var s = "Notes:\nThe Eiffel Tower was completed in 1889 for the World's Fair in Paris.\n\n"
        s += "Question: When was the Eiffel Tower completed?\nAnswer: 1889\n\nNotes:\n"
        for (i, summary) in summaries.enumerated() {
            s += summaries.count == 1 ? "\(summary)\n" : "[\(i + 1)] \(summary)\n"
        }
        s += "\nQuestion: \(question)\nAnswer:"
        return s
    }
}
