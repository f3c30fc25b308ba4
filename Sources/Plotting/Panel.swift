/// How values map to positions along an axis.
public enum AxisScale: Sendable {
  /// Equal differences take equal lengths.
  case linear
  /// Equal ratios take equal lengths (base 10); values ≤ 0 are not drawn.
  case logarithmic
}

/// One chart: a plot area with axes, tick labels, axis titles, a title and a legend, holding
/// one or more ``Series``. A ``Figure`` stacks panels vertically.
public struct Panel: Sendable {
  /// The panel's heading.
  public var title: String
  /// The title of the horizontal axis.
  public var xLabel: String
  /// The title of the vertical axis.
  public var yLabel: String
  /// The scale of the vertical axis (the horizontal axis is linear).
  public var yScale: AxisScale
  /// The lines, drawn in order (later lines on top).
  public var series: [Series]

  public init(
    title: String, xLabel: String, yLabel: String, yScale: AxisScale = .linear,
    series: [Series]
  ) {
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.yScale = yScale
    self.series = series
  }
}
