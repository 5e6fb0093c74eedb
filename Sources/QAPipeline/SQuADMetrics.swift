/// SQuAD answer scoring, the official evaluate-v2.0.py rules: normalise (lower-case, drop
/// punctuation, drop the articles a/an/the, collapse whitespace), exact match, token F1, best over
/// the gold answers.
///
/// Unanswerable questions (no gold answer): as in SQuAD 2.0 the right prediction is "no answer".
/// A prediction counts as "no answer" when it is empty after normalisation or when it says so
/// (`isNoAnswer`: "unanswerable", "cannot be determined", "not mentioned", "no answer", …); then
/// EM = F1 = 1 for an unanswerable question and 0 for an answerable one.
public enum SQuADMetrics {
    public static func normalize(_ s: String) -> String {
        let lowered = s.lowercased()
        let noPunctuation = String(lowered.unicodeScalars.filter { !isPunctuation($0) }.map(Character.init))
        let words = noPunctuation.split(whereSeparator: \.isWhitespace).filter { $0 != "a" && $0 != "an" && $0 != "the" }
        return words.joined(separator: " ")
    }

    /// Python's `string.punctuation` (ASCII only, as the official script: curly quotes and dashes stay).
    static func isPunctuation(_ u: Unicode.Scalar) -> Bool {
        u.isASCII && "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~".unicodeScalars.contains(u)
    }

    static let noAnswerPhrases = ["unanswerable", "cannot be determined", "can not be determined", "cannot tell", "can't tell",
                                  "cannot be answered", "not mentioned", "no answer", "not provided", "not given",
                                  "not stated", "does not say", "doesn't say", "do not give", "don't give",
                                  "no information", "not specified", "unknown"]

    /// Whether a prediction declines to answer.
    public static func isNoAnswer(_ prediction: String) -> Bool {
        let n = normalize(prediction)
        if n.isEmpty { return true }
        let lowered = prediction.lowercased()
        return noAnswerPhrases.contains { lowered.contains($0) }
    }

    public static func exactMatch(_ prediction: String, gold: [String]) -> Double {
        let golds = gold.filter { !normalize($0).isEmpty }
        if golds.isEmpty { return isNoAnswer(prediction) ? 1 : 0 }
        if isNoAnswer(prediction) { return 0 }
        let p = normalize(prediction)
        return golds.contains { normalize($0) == p } ? 1 : 0
    }

    public static func f1(_ prediction: String, gold: [String]) -> Double {
        let golds = gold.filter { !normalize($0).isEmpty }
        if golds.isEmpty { return isNoAnswer(prediction) ? 1 : 0 }
        if isNoAnswer(prediction) { return 0 }
        let p = normalize(prediction).split(separator: " ").map(String.init)
        return golds.map { tokenF1(p, normalize($0).split(separator: " ").map(String.init)) }.max() ?? 0
    }

    static func tokenF1(_ prediction: [String], _ gold: [String]) -> Double {
        var counts: [String: Int] = [:]
        for t in gold { counts[t, default: 0] += 1 }
        var common = 0
        for t in prediction where (counts[t] ?? 0) > 0 {
            counts[t, default: 0] -= 1
            common += 1
        }
        guard common > 0 else { return 0 }
        let precision = Double(common) / Double(prediction.count)
        let recall = Double(common) / Double(gold.count)
        return 2 * precision * recall / (precision + recall)
    }
}
