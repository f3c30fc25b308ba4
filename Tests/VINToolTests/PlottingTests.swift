import Foundation
import Testing

@testable import Plotting

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// The SVG chart writer: nice ticks, well-formed documents, escaping, thinning of long lines.
@Suite struct PlottingTests {
  @Test func linearTicksAreNiceNumbersCoveringTheData() {
    let ticks = AxisTicks.linear(minimum: -0.0254, maximum: 0, extendsToTicks: true)
    #expect(ticks.lower == -0.03 && ticks.upper == 0)
    #expect(ticks.labels == ["−0.030", "−0.025", "−0.020", "−0.015", "−0.010", "−0.005", "0.000"])
    let time = AxisTicks.linear(minimum: 0, maximum: 20, extendsToTicks: false)
    #expect(time.values == [0, 5, 10, 15, 20])
    #expect(time.labels == ["0", "5", "10", "15", "20"])
  }

  @Test func tinyValuesShareACommonFactor() {
    let ticks = AxisTicks.linear(minimum: -5.8e-4, maximum: 1.2e-4, extendsToTicks: true)
    #expect(ticks.exponent == -4)
    #expect(ticks.labels.first == "−6" && ticks.labels.last == "2")
  }

  @Test func constantDataStillGetsARange() {
    let ticks = AxisTicks.linear(minimum: 2, maximum: 2, extendsToTicks: true)
    #expect(ticks.lower < 2 && ticks.upper > 2)
  }

  @Test func logarithmicTicksAreDecades() {
    let ticks = AxisTicks.logarithmic(minimum: 3e-9, maximum: 0.4)
    #expect(ticks.lower == 1e-9 && ticks.upper == 1)
    #expect(ticks.labels.first == "10⁻⁹" && ticks.labels.last == "10⁰")
    #expect(ticks.values.count == 10)
    let wide = AxisTicks.logarithmic(minimum: 1e-15, maximum: 2)
    #expect(
      wide.labels == ["10⁻¹⁵", "10⁻¹³", "10⁻¹¹", "10⁻⁹", "10⁻⁷", "10⁻⁵", "10⁻³", "10⁻¹", "10¹"])
    #expect(wide.upper == 10)
  }

  @Test func figureIsWellFormedSVGWithEscapedText() throws {
    let t = (0...200).map { Double($0) * 0.1 }
    let figure = Figure(
      title: "A <b> & \"c\"", subtitle: "one\ntwo",
      panels: [
        Panel(
          title: "Lines", xLabel: "t", yLabel: "y",
          series: [
            Series(name: "sin", x: t, y: t.map(sin)),
            Series(name: "gap", x: t, y: t.map { $0 == 5 ? .nan : cos($0) }, isDashed: true),
          ]),
        Panel(
          title: "Log", xLabel: "t", yLabel: "|e|", yScale: .logarithmic,
          series: [Series(name: "e", x: t, y: t.map { 1e-8 * exp($0 / 4) - 1e-8 })]),
      ])
    let svg = figure.svg()
    #expect(svg.contains("A &lt;b&gt; &amp; &quot;c&quot;"))
    #expect(svg.contains(">one</text>") && svg.contains(">two</text>"))
    #expect(svg.contains("stroke-dasharray"))
    #if canImport(FoundationXML) || canImport(Darwin)
      let parser = XMLParser(data: Data(svg.utf8))
      #expect(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "")")
    #endif
    // The NaN splits the dashed line into two subpaths; the zero at t = 0 is left out on the
    // logarithmic axis.
    let paths = svg.components(separatedBy: "<path d=\"").dropFirst().map {
      $0.prefix { $0 != "\"" }
    }
    #expect(paths.contains { $0.filter { $0 == "M" }.count == 2 })
  }

  @Test func longLinesAreThinnedToTheEnvelope() {
    let points = (0..<100_000).map { i in (Double(i) / 100, sin(Double(i))) }
    let thinned = SVGRenderer.thinned(points)
    #expect(thinned.count <= 4 * 1000)
    #expect(thinned.map(\.1).max() == points.map(\.1).max())
    #expect(thinned.map(\.1).min() == points.map(\.1).min())
    #expect(thinned.first! == points.first! && thinned.last! == points.last!)
  }
}
