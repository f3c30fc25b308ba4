/// A figure: a title, an optional subtitle, and one or more ``Panel``s stacked vertically with
/// a common width, rendered as a standalone SVG document by ``svg()``.
///
/// ```swift
/// let figure = Figure(
///   title: "Pendulum", panels: [
///     Panel(title: "Angle", xLabel: "t", yLabel: "θ", series: [Series(name: "θ", x: t, y: θ)])
///   ])
/// let document = figure.svg()
/// ```
public struct Figure: Sendable {
  /// The heading of the whole figure.
  public var title: String
  /// Lines under the title (e.g. the parameters of a run), separated by `\n`; empty for none.
  public var subtitle: String
  /// The panels, top to bottom.
  public var panels: [Panel]
  /// The width in pixels (SVG user units).
  public var width: Double
  /// The height of each panel in pixels.
  public var panelHeight: Double

  public init(
    title: String, subtitle: String = "", panels: [Panel], width: Double = 900,
    panelHeight: Double = 300
  ) {
    self.title = title
    self.subtitle = subtitle
    self.panels = panels
    self.width = width
    self.panelHeight = panelHeight
  }

  /// The figure as an SVG 1.1 document (UTF-8 text, no external resources).
  public func svg() -> String { SVGRenderer(figure: self).render() }
}
