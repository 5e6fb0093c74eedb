import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Reports
import Testing

/// Parses an SVG with Foundation's XMLParser and collects element names.
private final class ElementCollector: NSObject, XMLParserDelegate {
    var elements: [String] = []
    var texts: [String] = []
    private var current = ""
    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        elements.append(name)
        current = ""
    }
    func parser(_ parser: XMLParser, foundCharacters string: String) { current += string }
    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "text" { texts.append(current) }
    }
}

private func parse(_ svg: String) -> (ok: Bool, collector: ElementCollector) {
    let parser = XMLParser(data: Data(svg.utf8))
    let c = ElementCollector()
    parser.delegate = c
    return (parser.parse(), c)
}

@Suite struct SVGChartTests {
    @Test func lineChartIsWellFormedWithSeriesLegendAndMarkers() throws {
        let spec = ChartSpec(title: "Throughput <vs> load & \"more\"", xLabel: "offered req/s", yLabel: "req/s")
        let series = [ChartSeries(name: "ours", points: [.init(x: 10, y: 10), .init(x: 20, y: 19.5), .init(x: 40, y: 30)]),
                      ChartSeries(name: "s-lora", points: [.init(x: 10, y: 9), .init(x: 20, y: 15)], dashed: true)]
        let markers = [ChartMarker(x: 15, label: "drift", style: .event),
                       ChartMarker(x: 16, label: "placement action", style: .tick, colorIndex: 2)]
        let svg = SVGChart.line(spec, series: series, markers: markers)
        let (ok, c) = parse(svg)
        #expect(ok)
        #expect(c.elements.first == "svg")
        #expect(c.elements.filter { $0 == "polyline" }.count == 2)
        #expect(c.texts.contains("Throughput <vs> load & \"more\""))
        #expect(c.texts.contains("ours") && c.texts.contains("s-lora") && c.texts.contains("drift"))
        #expect(c.texts.contains("placement action"))
    }

    @Test func logAxisAndDegenerateDataStayWellFormed() {
        let spec = ChartSpec(title: "p99", xLabel: "x", yLabel: "s", logY: true)
        let cases: [[ChartSeries]] = [
            [],
            [ChartSeries(name: "empty", points: [])],
            [ChartSeries(name: "one", points: [.init(x: 1, y: 1)])],
            [ChartSeries(name: "weird", points: [.init(x: .nan, y: 0), .init(x: 2, y: .infinity), .init(x: 3, y: 0.002)])],
        ]
        for series in cases {
            let (ok, c) = parse(SVGChart.line(spec, series: series))
            #expect(ok)
            #expect(c.elements.contains("svg"))
        }
    }

    @Test func controlCharactersAreDroppedFromText() {
        let svg = SVGChart.line(ChartSpec(title: "a\u{01}b", xLabel: "x", yLabel: "y"), series: [])
        #expect(parse(svg).ok)
        #expect(parse(svg).collector.texts.contains("ab"))
    }

    @Test func cdfChartHasOneCurvePerSample() {
        let svg = SVGChart.cdf(ChartSpec(title: "TTFT", xLabel: "s", yLabel: "fraction"),
                               samples: [("a", [0.1, 0.3, 0.2]), ("b", (0..<1000).map { Double($0) / 100 })])
        let (ok, c) = parse(svg)
        #expect(ok)
        #expect(c.elements.filter { $0 == "polyline" }.count == 2)
    }
}
