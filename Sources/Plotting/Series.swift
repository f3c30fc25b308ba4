/// One line of a chart: the points `(x[i], y[i])` joined in order, named in the legend.
///
/// Points whose coordinates are not finite (or, on a logarithmic axis, not positive) are left
/// out and break the line, so a gap in the data shows as a gap.
public struct Series: Sendable {
  /// The legend entry.
  public var name: String
  /// Abscissae, usually increasing (time).
  public var x: [Double]
  /// Ordinates, as many as `x`.
  public var y: [Double]
  /// A CSS colour; `nil` takes the next colour of the ``Palette``.
  public var color: String?
  /// Draws the line dashed (for reference or comparison lines).
  public var isDashed: Bool

  public init(name: String, x: [Double], y: [Double], color: String? = nil, isDashed: Bool = false)
  {
    self.name = name
    self.x = x
    self.y = y
    self.color = color
    self.isDashed = isDashed
  }
}
