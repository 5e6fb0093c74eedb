/// Word lists of the question guards (lower-case, diacritics folded). English only: the guards
/// are a cheap veto layer on top of the similarity threshold, not a parser.
enum GuardLexicon {
    /// Words that negate or exclude. "n't" contractions are split off by the tokenizer into "not".
    static let negations: Set<String> = [
        "not", "no", "never", "none", "nobody", "nothing", "nowhere", "neither", "nor", "cannot",
        "without", "except", "excluding", "non", "lack", "lacks", "lacked", "lacking",
    ]

    /// Exclusions that open a clause ("Besides X, which …", "Other than X, who …"): a question that
    /// sets something aside asks for the rest. Mid-clause ("objects other than bitstrings") they
    /// only narrow a noun, so they count only at a clause start.
    static let exclusionOpeners: [[String]] = [
        ["besides"], ["other", "than"], ["apart", "from"], ["aside", "from"], ["in", "addition", "to"],
    ]

    /// Pairs of words whose swap turns a question into a different question with high embedding
    /// similarity (the SQuAD 2.0 adversarial style: "imports" for "exports", "before" for "after").
    /// Each side lists surface forms; a form ending in "*" matches by prefix.
    static let opposites: [OppositePair] = [
        OppositePair(["before", "earlier", "prior", "preceded", "precede*"], ["after", "later", "followed", "follow*", "subsequent*"],
                     rightOpeners: ["once"]),
        OppositePair(["most", "maximum", "max", "largest", "biggest", "highest", "greatest"], ["least", "minimum", "min", "smallest", "lowest", "fewest"]),
        OppositePair(["more"], ["less", "fewer"]),
        OppositePair(["commonly", "common", "often", "frequently", "usually"], ["rarely", "rare", "seldom", "uncommon", "infrequently"]),
        OppositePair(["first", "earliest"], ["last", "latest", "final"]),
        OppositePair(["upper"], ["lower"]),
        OppositePair(["import*"], ["export*"], converse: true),
        OppositePair(["buy", "buys", "bought", "buying", "buyer*", "purchase*"], ["sell", "sells", "sold", "selling", "seller*"], converse: true),
        OppositePair(["win", "wins", "won", "winning", "winner*", "victor*"], ["lose", "loses", "lost", "losing", "loser*", "defeated"], converse: true),
        OppositePair(["increase*", "rise", "rose", "grew", "grow*"], ["decrease*", "fall", "fell", "decline*", "shrank", "shrink*"]),
        OppositePair(["start*", "began", "begin*", "founded", "established"],
                     ["end", "ends", "ended", "ending", "dissolved", "abolished", "finish*", "complete", "completed", "completion"]),
        OppositePair(["north*"], ["south*"]),
        OppositePair(["east*"], ["west*"]),
        OppositePair(["inside", "internal", "interior"], ["outside", "external", "exterior"]),
        OppositePair(["easy", "easier", "easiest"], ["hard", "harder", "hardest", "difficult"]),
        OppositePair(["best"], ["worst"]),
        OppositePair(["older", "oldest", "elder", "eldest"], ["younger", "youngest"]),
        OppositePair(["positive"], ["negative"]),
        OppositePair(["true"], ["false"]),
        OppositePair(["enter*", "entrance"], ["exit*", "leave"]),
        OppositePair(["attack*", "offens*"], ["defen*"]),
        OppositePair(["into", "toward", "towards"], ["from"], askedOnly: true),
        // Added in session 13 (docs/summary-cache.md, "The guards").
        OppositePair(["input", "inputs"], ["output", "outputs"]),
        OppositePair(["simple", "simpler", "simplest", "simplicity"], ["complex", "complexity", "complicated"]),
        OppositePair(["born", "birth", "birthplace"], ["died", "die", "dies", "death", "buried", "grew", "grow", "grown", "raised", "childhood"]),
        OppositePair(["published", "publication"], ["presented", "presentation"]),
    ]

    /// Words after which a capitalised word still starts a clause (for entity detection), and
    /// words never treated as entities even when capitalised mid-sentence.
    static let nonEntities: Set<String> = [
        "i", "i'm", "i've", "i'd", "i'll", "a", "an", "the", "of", "and", "or", "in", "on", "at", "to",
        "for", "by", "with", "from", "is", "are", "was", "were", "what", "which", "who", "whom", "whose",
        "when", "where", "why", "how", "it", "this", "that", "these", "those",
    ]

    /// Function words: skipped when words inside quotes become entities, and the lookahead of
    /// "which/what + noun" stops at them.
    static let functionWords: Set<String> = [
        "a", "an", "the", "of", "and", "or", "in", "on", "at", "to", "for", "by", "with", "from", "as",
        "is", "are", "was", "were", "be", "been", "being", "did", "does", "do", "had", "has", "have",
        "will", "would", "can", "could", "should", "may", "might", "must", "shall", "that", "this",
        "these", "those", "it", "its", "their", "his", "her", "they", "he", "she", "we", "you", "not",
    ]

    /// Auxiliaries: "When did …" is a question, "When the Normans …," is a subordinate clause.
    static let auxiliaries: Set<String> = [
        "is", "are", "was", "were", "be", "did", "does", "do", "had", "has", "have", "will", "would",
        "can", "could", "should", "may", "might", "must", "shall",
    ]

    /// Conjunctions that open a leading subordinate clause ("When X happened, how many …?").
    static let subordinators: Set<String> = [
        "when", "where", "while", "if", "after", "before", "once", "since", "although", "though",
        "because", "as", "supposing", "assuming", "given", "whenever", "until",
    ]

    /// Pronouns that close a tag question (", isn't it?").
    static let tagPronouns: Set<String> = ["it", "they", "he", "she", "there", "you", "we", "i", "that", "this", "one"]

    static let interrogatives: Set<String> = ["who", "whom", "whose", "what", "which", "when", "where", "why", "how"]

    /// Head nouns that give "which/what X" a specific answer type.
    static let timeNouns: Set<String> = [
        "year", "years", "century", "centuries", "decade", "decades", "date", "dates", "day", "days",
        "month", "months", "era", "period", "season", "week", "hour", "moment",
    ]
    static let placeNouns: Set<String> = [
        "country", "countries", "city", "cities", "place", "places", "region", "regions", "kingdom",
        "kingdoms", "island", "islands", "location", "locations", "town", "towns", "continent", "state",
        "province", "area", "river", "sea", "village", "territory", "nation", "port", "site", "county",
    ]
    static let personNouns: Set<String> = [
        "person", "people", "man", "men", "woman", "women", "king", "kings", "queen", "duke", "dukes",
        "prince", "princess", "emperor", "pope", "leader", "leaders", "ruler", "rulers", "author",
        "authors", "writer", "individual", "individuals", "scientist", "scientists", "abbot", "abbots",
        "bishop", "general", "commander", "son", "daughter", "wife", "husband", "brother", "sister",
        "mother", "father", "president", "mathematician", "mathematicians", "researcher", "researchers",
        "student", "teacher", "monk", "monks", "knight", "lord", "earl", "baron",
        // Agent nouns: "which engineer", and the last word of a keyword query ("bicycle patent holder").
        "engineer", "engineers", "architect", "architects", "inventor", "inventors", "founder", "founders",
        "designer", "builder", "builders", "holder", "creator", "maker", "owner", "discoverer", "developer",
        "winner", "explorer", "navigator", "sailor", "captain", "painter", "composer", "poet", "philosopher",
        "physician", "chemist", "physicist", "astronomer", "economist", "merchant", "traveller", "traveler",
        "warlord", "patron", "sponsor", "manufacturer", "producer", "successor", "predecessor",
    ]
    /// Organisations answer "who" ("Which institute proposed it?" = "Who proposed it?") and
    /// "where" ("At what institution did they work?" = "Where did they work?").
    static let organisationNouns: Set<String> = [
        "institute", "institution", "organisation", "organization", "company", "firm", "society",
        "university", "agency", "team",
    ]
    static let quantityNouns: Set<String> = [
        "number", "amount", "size", "percentage", "percent", "proportion", "quantity", "count", "total",
        "sum", "price", "cost", "distance", "length", "height", "weight", "population", "share", "rate",
    ]
    /// Head nouns that ask for a way of doing something ("which method" ~ "how").
    static let mannerNouns: Set<String> = [
        "method", "methods", "technique", "techniques", "procedure", "approach", "means", "process",
    ]
    /// Head nouns that ask for a thing, never a person, time, place or quantity ("which prize").
    static let thingNouns: Set<String> = [
        "prize", "prizes", "award", "awards", "medal", "treaty", "treaties", "law", "laws", "paper",
        "papers", "book", "books", "tool", "tools", "device", "devices", "instrument", "instruments",
        "material", "materials", "substance", "product", "products", "ingredient", "ingredients",
        // Events and inventions: "Which eruption …" asks for the event, not its year.
        "event", "events", "eruption", "eruptions", "battle", "battles", "war", "wars", "disaster",
        "invention", "inventions", "discovery",
    ]
    /// Last words of a keyword query that name no attribute ("Norse raiders leader name").
    static let keywordFillers: Set<String> = ["name", "names", "info", "details", "fact", "facts"]
    /// Words before a keyword query's last noun that make it a rate, not the attribute asked
    /// ("honey yield per hive good year").
    static let rateWords: Set<String> = ["per", "each", "every", "a", "an", "good", "typical", "average"]
    /// Verbs after "what" that ask for a cause ("What forced Bohemond to sign?" ~ "Why did …").
    static let causalVerbs: Set<String> = [
        "caused", "causes", "cause", "forced", "forces", "led", "leads", "prompted", "prompts",
        "drove", "drives", "motivated", "motivates", "triggered", "triggers",
    ]
    static let reasonNouns: Set<String> = ["reason", "reasons", "cause", "causes", "purpose", "motive"]

    /// Words after "how" that ask for a quantity.
    static let howQuantity: Set<String> = [
        "many", "much", "far", "long", "old", "big", "large", "tall", "high", "often", "fast", "heavy",
        "wide", "deep", "small", "short", "quickly", "rapidly", "soon",
    ]
    /// Words after "how" that ask when ("How early was salt collected?").
    static let howTime: Set<String> = ["early", "late"]
    /// Plural time units ending a keyword query ask how long ("queen bee lifespan years"); the
    /// singular asks when ("Pharos completion year").
    static let durationUnits: Set<String> = [
        "years", "days", "weeks", "hours", "decades",
    ]

    static let months: [String: Int] = [
        "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
        "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    ]

    /// Names of one place or people that share no stem: a country and its demonym ("Spain" /
    /// "Spanish", "Rome" / "Roman"), short and long forms ("UK" / "Britain"), and a name and its
    /// translation word by word ("Côte d'Ivoire" / "Ivory Coast"). Pairs that share a stem
    /// ("Egypt" / "Egyptian", "China" / "Chinese") already match by `WordMatch.sameStem`.
    static let aliasGroups: [Set<String>] = [
        ["spain", "spanish", "spaniard", "spaniards"], ["rome", "roman", "romans"],
        ["france", "french", "frenchman", "frenchmen"], ["netherlands", "dutch", "holland"],
        ["wales", "welsh"], ["ireland", "irish"], ["poland", "polish"], ["finland", "finnish", "finns"],
        ["denmark", "danish", "danes"], ["flanders", "flemish"], ["switzerland", "swiss"],
        ["philippines", "filipino", "filipinos"], ["uk", "britain", "british", "britons"],
        ["usa", "america", "american", "americans"], ["ussr", "soviet", "soviets"],
        ["ivory", "ivoire"], ["coast", "cote"],
    ]
    static let aliases: [String: Set<String>] = {
        var out: [String: Set<String>] = [:]
        for group in aliasGroups { for w in group { out[w, default: []].formUnion(group) } }
        return out
    }()

    /// Nouns a "by what …" question asks for by name, not as a means ("By what name did
    /// explorers know them?" = "What did explorers call them?").
    static let namingNouns: Set<String> = ["name", "names", "term", "nickname", "title"]

    /// Superlatives that say "first" ("the earliest clock" = "the first clock").
    static let firstSynonyms: Set<String> = ["earliest"]

    /// Words ending in "-est" that are not superlatives (`QuestionType.isSuperlative`).
    static let notSuperlatives: Set<String> = [
        "interest", "harvest", "forest", "forests", "contest", "protest", "request", "suggest", "honest",
        "modest", "conquest", "manifest", "arrest", "invest", "digest", "earnest", "inquest", "tempest",
        "behest", "northwest", "southwest", "midwest", "bequest", "priest", "priests",
    ]

    /// Words before "one" that make it a pronoun, not a count ("which one", "no one").
    static let pronounOnePrefixes: Set<String> = [
        "which", "the", "no", "any", "every", "each", "this", "that", "another", "some", "such", "only",
    ]
}
