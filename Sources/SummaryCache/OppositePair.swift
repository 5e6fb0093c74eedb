/// One pair of `GuardLexicon.opposites`: surface forms of a word and of its opposite, and how the
/// opposites guard reads a question for them.
struct OppositePair: Sendable {
    let left: [String]
    let right: [String]
    /// The two sides describe one event from either end ("X bought from Y" = "Y sold to X"): the
    /// pair is skipped when a question asks "to whom / from whom / by whom", which is exactly how
    /// such a question is rephrased from the other side.
    let converse: Bool
    /// Counts only where the question asks for the word (`QuestionGuards.askedWords`): "into which
    /// region" vs "from where" differ, but "the slag they mix into cement" only describes the
    /// thing asked about.
    let askedOnly: Bool
    /// Words that stand for the right side when they open the question core: "Once pendulums were
    /// used, how small did the error become?" asks about the time after, the opposite of "before
    /// the pendulum". Mid-sentence "once" means "formerly" and does not count.
    let rightOpeners: Set<String>

    init(_ left: [String], _ right: [String], converse: Bool = false, askedOnly: Bool = false, rightOpeners: Set<String> = []) {
        self.left = left
        self.right = right
        self.converse = converse
        self.askedOnly = askedOnly
        self.rightOpeners = rightOpeners
    }

    /// The words of `core` the guard matches against this pair's forms.
    func words(of core: [String]) -> [String] {
        if askedOnly { return QuestionGuards.askedWords(core) }
        if let first = core.first, rightOpeners.contains(first), let stand = right.first { return core + [stand] }
        return core
    }
}
