/// Canonicalises a Jinja chat template so equivalent spellings compare equal.
///
/// Inside `{{ }}` / `{% %}` tags: whitespace outside string literals is removed, `"` literals
/// become `'` literals, `\n` escapes become newlines, adjacent literals joined by `+` are merged
/// (`'a' + 'b'` → `'ab'`), and `message.role` / `message.content` become subscripts. Trim markers
/// (`{%-`, `-%}`) are dropped, and whitespace-only text between two tags is removed when either
/// tag is a `{% %}` block (what `trim_blocks`/`lstrip_blocks` or trim markers do to such text).
/// Text outside tags is otherwise kept verbatim.
enum TemplateNormaliser {
    static func normalise(_ template: String) -> String {
        let pieces = split(template)
        var out = ""
        for (index, piece) in pieces.enumerated() {
            switch piece {
            case let .text(text):
                let whitespaceOnly = text.allSatisfy(\.isWhitespace)
                let nearBlock = (index > 0 && pieces[index - 1].isBlock)
                    || (index + 1 < pieces.count && pieces[index + 1].isBlock)
                if whitespaceOnly && nearBlock { continue }
                out += text
            case let .tag(open, body, close):
                out += open + canonicalBody(body) + close
            }
        }
        return out
    }

    private enum Piece {
        case text(String)
        case tag(open: String, body: String, close: String)

        var isBlock: Bool {
            if case let .tag(open, _, _) = self { return open == "{%" }
            return false
        }
    }

    /// Splits into literal text and tags (`{{ … }}`, `{% … %}`), respecting quotes inside tags.
    private static func split(_ template: String) -> [Piece] {
        var pieces: [Piece] = []
        let chars = Array(template)
        var i = 0
        var text = ""
        while i < chars.count {
            if chars[i] == "{", i + 1 < chars.count, chars[i + 1] == "{" || chars[i + 1] == "%" {
                let isBlock = chars[i + 1] == "%"
                let closer: Character = isBlock ? "%" : "}"
                var j = i + 2
                var quote: Character?
                var body = ""
                var closed = false
                while j < chars.count {
                    let c = chars[j]
                    if let q = quote {
                        body.append(c)
                        if c == "\\", j + 1 < chars.count { body.append(chars[j + 1]); j += 2; continue }
                        if c == q { quote = nil }
                    } else if c == "'" || c == "\"" {
                        quote = c
                        body.append(c)
                    } else if c == closer, j + 1 < chars.count, chars[j + 1] == "}" {
                        closed = true
                        break
                    } else {
                        body.append(c)
                    }
                    j += 1
                }
                guard closed else { text.append(contentsOf: String(chars[i...])); break }
                if !text.isEmpty { pieces.append(.text(text)); text = "" }
                var trimmed = Substring(body)
                if trimmed.hasPrefix("-") || trimmed.hasPrefix("+") { trimmed = trimmed.dropFirst() }
                if trimmed.hasSuffix("-") || trimmed.hasSuffix("+") { trimmed = trimmed.dropLast() }
                pieces.append(.tag(open: isBlock ? "{%" : "{{", body: String(trimmed), close: isBlock ? "%}" : "}}"))
                i = j + 2
            } else {
                text.append(chars[i])
                i += 1
            }
        }
        if !text.isEmpty { pieces.append(.text(text)) }
        return pieces
    }

    private enum Token: Equatable {
        case literal(String)
        case code(String)
    }

    /// Removes insignificant whitespace, unifies literals and merges `'a'+'b'`.
    private static func canonicalBody(_ body: String) -> String {
        var tokens: [Token] = []
        let chars = Array(body)
        var i = 0
        var code = ""
        func flushCode() {
            if !code.isEmpty { tokens.append(.code(code)); code = "" }
        }
        while i < chars.count {
            let c = chars[i]
            if c == "'" || c == "\"" {
                flushCode()
                var literal = ""
                var j = i + 1
                while j < chars.count, chars[j] != c {
                    if chars[j] == "\\", j + 1 < chars.count {
                        switch chars[j + 1] {
                        case "n": literal.append("\n")
                        case "t": literal.append("\t")
                        default: literal.append(chars[j + 1])
                        }
                        j += 2
                        continue
                    }
                    literal.append(chars[j])
                    j += 1
                }
                tokens.append(.literal(literal))
                i = j + 1
            } else if c.isWhitespace {
                i += 1
            } else {
                code.append(c)
                i += 1
            }
        }
        flushCode()
        // Merge literal + literal.
        var merged: [Token] = []
        var k = 0
        while k < tokens.count {
            if case let .literal(a) = tokens[k], k + 2 < tokens.count, tokens[k + 1] == .code("+"),
               case let .literal(b) = tokens[k + 2] {
                tokens[k + 2] = .literal(a + b)
                k += 2
                continue
            }
            merged.append(tokens[k])
            k += 1
        }
        return merged.map { token in
            switch token {
            case let .literal(text): return "'" + escapeLiteral(text) + "'"
            case let .code(text):
                return text.replacingOccurrences("message.role", with: "message['role']")
                    .replacingOccurrences("message.content", with: "message['content']")
            }
        }.joined()
    }
}

extension TemplateNormaliser {
    /// Escapes `\\` and `'` so a literal's end is unambiguous in normalised output.
    static func escapeLiteral(_ text: String) -> String {
        var out = ""
        for c in text {
            if c == "\\" || c == "'" { out.append("\\") }
            out.append(c)
        }
        return out
    }

    /// Inverse of `escapeLiteral` for a span that must lie wholly inside one literal; nil when
    /// the span contains a bare quote (it crosses into code, e.g. `' + variable + '`).
    static func unescapeLiteral(_ text: Substring) -> String? {
        var out = ""
        var escaping = false
        for c in text {
            if escaping {
                out.append(c)
                escaping = false
            } else if c == "\\" {
                escaping = true
            } else if c == "'" {
                return nil
            } else {
                out.append(c)
            }
        }
        return escaping ? nil : out
    }
}

extension String {
    /// Foundation-free `replacingOccurrences(of:with:)` (layer-0 targets avoid Foundation).
    fileprivate func replacingOccurrences(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = Substring(self)
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        result += rest
        return result
    }
}
