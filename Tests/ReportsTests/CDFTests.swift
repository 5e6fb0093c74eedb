import Reports
import Testing

@Suite struct CDFTests {
    @Test(arguments: [1, 7, 240, 10_000])
    func cdfIsMonotoneAndEndsAtOne(n: Int) throws {
        // A deterministic, unsorted sample with repeats.
        let values = (0..<n).map { Double(($0 * 7919) % 97) / 10 }
        let pts = CDF.points(values, maxPoints: 100)
        #expect(!pts.isEmpty)
        #expect(pts.count <= 102)
        for (a, b) in zip(pts, pts.dropFirst()) {
            #expect(a.x <= b.x)
            #expect(a.y <= b.y)
        }
        let last = try #require(pts.last)
        #expect(last.y == 1)
        #expect(last.x == values.max())
        #expect(pts.allSatisfy { $0.y > 0 && $0.y <= 1 })
    }

    @Test func nonFiniteValuesAreDropped() {
        #expect(CDF.points([.nan, .infinity]).isEmpty)
        #expect(CDF.points([1, .nan, 2]).map(\.x) == [1, 2])
    }
}

@Suite struct MarkdownTests {
    @Test func tableEscapesPipesAndPadsRows() {
        let t = Markdown.table(["a", "b|c"], [["1"], ["x|y", "2", "extra"]], alignRight: [1])
        let lines = t.split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        #expect(lines[0] == "| a | b\\|c |")
        #expect(lines[1] == "|---|---:|")
        #expect(lines[2] == "| 1 |  |")
        #expect(lines[3] == "| x\\|y | 2 |")
    }

    @Test func numbersAndRatios() {
        #expect(Markdown.number(0.085123) == "0.0851")
        #expect(Markdown.number(134.56) == "135")
        #expect(Markdown.number(1234567) == "1234567")
        #expect(Markdown.number(.nan) == "n/a")
        #expect(Markdown.ratio(3, 1.5) == "2.00×")
        #expect(Markdown.ratio(1, 0) == "n/a")
        #expect(Markdown.ratio(nil, 2) == "n/a")
    }
}
