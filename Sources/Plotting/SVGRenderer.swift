import Foundation

/// Lays out a ``Figure`` and writes it as SVG.
///
/// Each panel is a block of ``Figure/panelHeight`` pixels: a heading line (title on the left,
/// legend on the right), the plot area with a light grid, tick labels and axis titles. Lines
/// are clipped to the plot area; long series are thinned to at most two points (the extremes)
/// per horizontal pixel, which keeps files small without changing what is seen.
struct SVGRenderer {
  let figure: Figure

  /// Space left of the plot area (tick labels and the vertical axis title).
  let marginLeft = 92.0
  let marginRight = 28.0
  /// From the top of a panel block to its plot area (panel title and legend).
  let panelHeading = 40.0
  /// From the bottom of the plot area to the end of the block (tick labels, axis title).
  let panelFooting = 58.0
  let font = "Helvetica, Arial, sans-serif"

  var subtitleLines: [Substring] {
    figure.subtitle.split(separator: "\n", omittingEmptySubsequences: false)
  }

  var headerHeight: Double {
    if figure.title.isEmpty { return 12 }
    return figure.subtitle.isEmpty ? 52 : 56 + 18 * Double(subtitleLines.count)
  }

  func render() -> String {
    let height = headerHeight + Double(figure.panels.count) * figure.panelHeight + 8
    var svg = SVGText()
    svg.line(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(n(figure.width))\" "
        + "height=\"\(n(height))\" viewBox=\"0 0 \(n(figure.width)) \(n(height))\" "
        + "font-family=\"\(font)\">")
    svg.line("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>")
    if !figure.title.isEmpty {
      svg.text(
        figure.title, x: marginLeft, y: 34,
        attributes: "font-size=\"20\" font-weight=\"600\" "
          + "fill=\"#1a1a1a\"")
    }
    if !figure.subtitle.isEmpty {
      for (i, line) in subtitleLines.enumerated() {
        svg.text(
          String(line), x: marginLeft, y: 58 + 18 * Double(i),
          attributes: "font-size=\"13\" fill=\"#555\"")
      }
    }
    for (index, panel) in figure.panels.enumerated() {
      let top = headerHeight + Double(index) * figure.panelHeight
      render(panel, index: index, top: top, into: &svg)
    }
    svg.line("</svg>")
    return svg.document
  }

  func render(_ panel: Panel, index: Int, top: Double, into svg: inout SVGText) {
    let left = marginLeft
    let right = figure.width - marginRight
    // The legend goes on the title line when both fit, otherwise on a line of its own.
    let legendFits =
      Self.textWidth(panel.title, fontSize: 15) + 32 + legendWidth(panel) <= right - left
    let plotTop = top + panelHeading + (legendFits ? 0 : 20)
    let plotBottom = top + figure.panelHeight - panelFooting
    let (xTicks, yTicks) = ticks(for: panel)
    let log = panel.yScale == .logarithmic
    func px(_ x: Double) -> Double {
      left + (x - xTicks.lower) / (xTicks.upper - xTicks.lower) * (right - left)
    }
    func py(_ y: Double) -> Double {
      let (v, low, high) =
        log
        ? (log10(y), log10(yTicks.lower), log10(yTicks.upper))
        : (y, yTicks.lower, yTicks.upper)
      return plotBottom - (v - low) / (high - low) * (plotBottom - plotTop)
    }

    svg.text(
      panel.title, x: left, y: top + 24,
      attributes: "font-size=\"15\" font-weight=\"600\" fill=\"#1a1a1a\"")
    if legendFits {
      legend(panel, right: right, y: top + 24, into: &svg)
    } else {
      legend(panel, right: left + legendWidth(panel), y: top + 46, into: &svg)
    }

    // Plot area, grid, axes.
    svg.line(
      "<rect x=\"\(n(left))\" y=\"\(n(plotTop))\" width=\"\(n(right - left))\" "
        + "height=\"\(n(plotBottom - plotTop))\" fill=\"#fbfbfb\" stroke=\"none\"/>")
    for (value, label) in zip(yTicks.values, yTicks.labels) {
      let y = py(value)
      svg.line(
        "<line x1=\"\(n(left))\" y1=\"\(n(y))\" x2=\"\(n(right))\" y2=\"\(n(y))\" "
          + "stroke=\"#e3e3e3\" stroke-width=\"1\"/>")
      svg.text(
        label, x: left - 8, y: y + 4,
        attributes: "font-size=\"12\" fill=\"#333\" text-anchor=\"end\"")
    }
    for (value, label) in zip(xTicks.values, xTicks.labels) {
      let x = px(value)
      svg.line(
        "<line x1=\"\(n(x))\" y1=\"\(n(plotTop))\" x2=\"\(n(x))\" y2=\"\(n(plotBottom))\" "
          + "stroke=\"#e3e3e3\" stroke-width=\"1\"/>")
      svg.line(
        "<line x1=\"\(n(x))\" y1=\"\(n(plotBottom))\" x2=\"\(n(x))\" y2=\"\(n(plotBottom + 5))\" "
          + "stroke=\"#333\" stroke-width=\"1\"/>")
      svg.text(
        label, x: x, y: plotBottom + 20,
        attributes: "font-size=\"12\" fill=\"#333\" text-anchor=\"middle\"")
    }
    svg.line(
      "<path d=\"M\(n(left)) \(n(plotTop))V\(n(plotBottom))H\(n(right))\" fill=\"none\" "
        + "stroke=\"#333\" stroke-width=\"1\"/>")
    svg.text(
      axisTitle(panel.xLabel, exponent: xTicks.exponent), x: (left + right) / 2,
      y: plotBottom + 44, attributes: "font-size=\"13\" fill=\"#1a1a1a\" text-anchor=\"middle\"")
    let yTitleX = 22.0
    let yTitleY = (plotTop + plotBottom) / 2
    svg.text(
      axisTitle(panel.yLabel, exponent: yTicks.exponent), x: yTitleX, y: yTitleY,
      attributes: "font-size=\"13\" fill=\"#1a1a1a\" text-anchor=\"middle\" "
        + "transform=\"rotate(-90 \(n(yTitleX)) \(n(yTitleY)))\"")

    // Lines, clipped to the plot area.
    let clip = "plot-area-\(index)"
    svg.line(
      "<clipPath id=\"\(clip)\"><rect x=\"\(n(left))\" y=\"\(n(plotTop))\" "
        + "width=\"\(n(right - left))\" height=\"\(n(plotBottom - plotTop))\"/></clipPath>")
    svg.line(
      "<g clip-path=\"url(#\(clip))\" fill=\"none\" stroke-width=\"1.6\" "
        + "stroke-linejoin=\"round\" stroke-linecap=\"round\">")
    for (k, series) in panel.series.enumerated() {
      var d = ""
      var segment: [(Double, Double)] = []
      func flush() {
        for (i, point) in Self.thinned(segment).enumerated() {
          d += (i == 0 ? "M" : "L") + n(point.0) + " " + n(point.1)
        }
        segment.removeAll(keepingCapacity: true)
      }
      for (x, y) in zip(series.x, series.y) {
        if x.isFinite, y.isFinite, !log || y > 0 {
          segment.append((px(x), py(y)))
        } else {
          flush()
        }
      }
      flush()
      let dash = series.isDashed ? " stroke-dasharray=\"6 4\"" : ""
      svg.line(
        "<path d=\"\(d)\" stroke=\"\(series.color ?? Palette.color(k))\"\(dash)/>")
    }
    svg.line("</g>")
  }

  /// The width of the legend: per entry a line sample, a gap and the name.
  func legendWidth(_ panel: Panel) -> Double {
    guard showsLegend(panel) else { return 0 }
    return panel.series.map { 42 + Self.textWidth($0.name, fontSize: 12.5) }.reduce(0, +) - 16
  }

  func showsLegend(_ panel: Panel) -> Bool {
    panel.series.count > 1 || panel.series.first?.name.isEmpty == false
  }

  /// An estimate of the width of `text` in a sans-serif font (average glyph ≈ 0.55 em).
  static func textWidth(_ text: String, fontSize: Double) -> Double {
    Double(text.count) * 0.55 * fontSize
  }

  /// The legend, ending at `right`, on the line at `y`.
  func legend(_ panel: Panel, right: Double, y: Double, into svg: inout SVGText) {
    guard showsLegend(panel) else { return }
    var x = right
    for (k, series) in panel.series.enumerated().reversed() {
      x -= Self.textWidth(series.name, fontSize: 12.5)
      svg.text(series.name, x: x, y: y, attributes: "font-size=\"12.5\" fill=\"#333\"")
      x -= 26
      let dash = series.isDashed ? " stroke-dasharray=\"6 4\"" : ""
      svg.line(
        "<line x1=\"\(n(x))\" y1=\"\(n(y - 4))\" x2=\"\(n(x + 20))\" y2=\"\(n(y - 4))\" "
          + "stroke=\"\(series.color ?? Palette.color(k))\" stroke-width=\"2.4\"\(dash)/>")
      x -= 16
    }
  }

  /// The axis ranges and ticks: the horizontal axis spans the data, the vertical axis is
  /// widened to nice ticks (whole decades on a logarithmic scale).
  func ticks(for panel: Panel) -> (x: AxisTicks, y: AxisTicks) {
    var (xMin, xMax, yMin, yMax) = (
      Double.infinity, -Double.infinity, Double.infinity, -Double.infinity
    )
    for series in panel.series {
      for (x, y) in zip(series.x, series.y)
      where x.isFinite && y.isFinite && (panel.yScale == .linear || y > 0) {
        (xMin, xMax) = (min(xMin, x), max(xMax, x))
        (yMin, yMax) = (min(yMin, y), max(yMax, y))
      }
    }
    if !xMin.isFinite { (xMin, xMax, yMin, yMax) = (0, 1, panel.yScale == .linear ? 0 : 0.1, 1) }
    let x = AxisTicks.linear(minimum: xMin, maximum: xMax, extendsToTicks: false)
    let y =
      panel.yScale == .linear
      ? AxisTicks.linear(minimum: yMin, maximum: yMax, extendsToTicks: true)
      : AxisTicks.logarithmic(minimum: yMin, maximum: yMax)
    return (x, y)
  }

  /// `label`, with the axis' common factor appended.
  func axisTitle(_ label: String, exponent: Int?) -> String {
    guard let exponent else { return label }
    return "\(label)  (×10\(AxisTicks.superscript(exponent)))"
  }

  /// At most the first, lowest, highest and last point of each horizontal pixel column, in
  /// their original order: the drawn envelope of a dense line is unchanged.
  static func thinned(_ points: [(Double, Double)]) -> [(Double, Double)] {
    guard points.count > 4000 else { return points }
    var result: [(Double, Double)] = []
    var start = 0
    while start < points.count {
      let column = points[start].0.rounded(.down)
      var end = start
      var (low, high) = (start, start)
      while end + 1 < points.count, points[end + 1].0.rounded(.down) == column {
        end += 1
        if points[end].1 < points[low].1 { low = end }
        if points[end].1 > points[high].1 { high = end }
      }
      for i in Set([start, low, high, end]).sorted() { result.append(points[i]) }
      start = end + 1
    }
    return result
  }

  /// A coordinate with at most two decimals.
  func n(_ value: Double) -> String { Self.number(value) }

  static func number(_ value: Double) -> String {
    let text = String(format: "%.2f", value)
    if text.hasSuffix(".00") { return String(text.dropLast(3)) }
    if text.hasSuffix("0") { return String(text.dropLast()) }
    return text
  }
}

/// An SVG document being written, with escaping of text content.
struct SVGText {
  var document = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"

  mutating func line(_ element: String) {
    document += element
    document += "\n"
  }

  mutating func text(_ content: String, x: Double, y: Double, attributes: String) {
    line(
      "<text x=\"\(SVGRenderer.number(x))\" y=\"\(SVGRenderer.number(y))\" \(attributes)>"
        + Self.escaped(content) + "</text>")
  }

  /// `content` with `&`, `<`, `>` and `"` replaced by entities.
  static func escaped(_ content: String) -> String {
    var result = ""
    for character in content {
      switch character {
      case "&": result += "&amp;"
      case "<": result += "&lt;"
      case ">": result += "&gt;"
      case "\"": result += "&quot;"
      default: result.append(character)
      }
    }
    return result
  }
}
