import Foundation
import SummaryCache

/// A SQuAD-format file plus paraphrase families (the layout of shared/data/qa): one JSON file with
/// `data[].paragraphs[].context`, and `paraphrase-families*.jsonl` records pointing into it.
public struct QADataset: Sendable {
    public struct Family: Sendable, Codable, Equatable {
        public struct NearMiss: Sendable, Codable, Equatable {
            public var question: String
            public var answers: [String]
            public var answerable: Bool?
            public var source: String?

            public init(question: String, answers: [String], answerable: Bool? = nil, source: String? = nil) {
                self.question = question
                self.answers = answers
                self.answerable = answerable
                self.source = source
            }
        }
        public var family_id: String
        public var article: String
        public var paragraph_index: Int
        public var question: String
        public var answers: [String]
        public var paraphrases: [String]
        public var near_misses: [NearMiss]

        public init(family_id: String, article: String, paragraph_index: Int, question: String, answers: [String],
                    paraphrases: [String], near_misses: [NearMiss]) {
            self.family_id = family_id
            self.article = article
            self.paragraph_index = paragraph_index
            self.question = question
            self.answers = answers
            self.paraphrases = paraphrases
            self.near_misses = near_misses
        }
    }

    /// Paragraph texts by article title.
    public var paragraphs: [String: [String]]
    public var families: [Family]

    public init(paragraphs: [String: [String]], families: [Family]) {
        self.paragraphs = paragraphs
        self.families = families
    }

    struct SQuADFile: Decodable {
        struct Article: Decodable {
            struct Paragraph: Decodable { var context: String }
            var title: String
            var paragraphs: [Paragraph]
        }
        var data: [Article]
    }

    /// Reads DIR: the first `*.json` file as SQuAD and every `paraphrase-families*.jsonl`.
    /// - Parameter familyFiles: family files to use instead of the directory's own (e.g. the
    ///   held-out families of `Data/qa-heldout/` over the same SQuAD file).
    public static func load(directory: String, familyFiles: [String]? = nil) throws -> QADataset {
        let fm = FileManager.default
        let names: [String]
        do { names = try fm.contentsOfDirectory(atPath: directory).sorted() } catch {
            throw QAPipelineError.invalidDataset(path: directory, reason: "cannot list: \(error.localizedDescription)")
        }
        guard let squadName = names.first(where: { $0.hasSuffix(".json") }) else {
            throw QAPipelineError.invalidDataset(path: directory, reason: "no SQuAD .json file")
        }
        let familyPaths = familyFiles ?? names.filter { $0.hasPrefix("paraphrase-families") && $0.hasSuffix(".jsonl") }
            .map { directory + "/" + $0 }
        guard !familyPaths.isEmpty else { throw QAPipelineError.invalidDataset(path: directory, reason: "no paraphrase-families*.jsonl") }
        let squadPath = directory + "/" + squadName
        guard let squadData = fm.contents(atPath: squadPath) else { throw QAPipelineError.invalidDataset(path: squadPath, reason: "unreadable") }
        let squad: SQuADFile
        do { squad = try JSONDecoder().decode(SQuADFile.self, from: squadData) } catch {
            throw QAPipelineError.invalidDataset(path: squadPath, reason: "\(error)")
        }
        var paragraphs: [String: [String]] = [:]
        for a in squad.data { paragraphs[a.title] = a.paragraphs.map(\.context) }
        var families: [Family] = []
        for path in familyPaths {
            guard let data = fm.contents(atPath: path) else { throw QAPipelineError.invalidDataset(path: path, reason: "unreadable") }
            for (n, line) in data.split(separator: UInt8(ascii: "\n")).enumerated() where !line.allSatisfy({ $0 == 32 || $0 == 13 }) {
                do { families.append(try JSONDecoder().decode(Family.self, from: Data(line))) } catch {
                    throw QAPipelineError.invalidDataset(path: path, reason: "line \(n + 1): \(error)")
                }
            }
        }
        let dataset = QADataset(paragraphs: paragraphs, families: families)
        for f in families where dataset.paragraph(of: f) == nil {
            throw QAPipelineError.invalidDataset(path: directory, reason: "family \(f.family_id) points at \(f.article)[\(f.paragraph_index)], which does not exist")
        }
        return dataset
    }

    public func paragraph(of family: Family) -> String? {
        guard let list = paragraphs[family.article], family.paragraph_index >= 0, family.paragraph_index < list.count else { return nil }
        return list[family.paragraph_index]
    }

    /// The document a family's questions are asked about.
    public func document(of family: Family) -> QADocument? {
        paragraph(of: family).map { QADocument(id: DocumentID("\(family.article)#\(family.paragraph_index)"), text: $0, title: family.article) }
    }
}
