/// Draws a ``DrawableSystem``'s configurations as square frames of `size` × `size` pixels.
///
/// The view `[−w, w]²` of the system's plane fills the frame: pixel (row i, column j), counted
/// from the top left, covers `x ∈ [−w + 2wj/S, −w + 2w(j + 1)/S]`,
/// `y ∈ [w − 2w(i + 1)/S, w − 2wi/S]` (y up), so the origin is the frame's centre. A pixel's
/// value is
/// - ``Sampling/binary``: 1 when the pixel's centre lies in a stroke, else 0;
/// - ``Sampling/coverage(samplesPerSide:)``: the fraction of n × n sample points, at the centres
///   of an n × n grid over the pixel, that lie in a stroke (an estimate of the area covered,
///   exact to `1/n²` steps; overlapping strokes count once).
public struct Rasteriser: Sendable {
  /// How a pixel's value is found from the strokes.
  public enum Sampling: Equatable, Sendable {
    /// 1 or 0: whether the pixel's centre is drawn.
    case binary
    /// The covered fraction of the pixel, sampled on an n × n grid (anti-aliasing).
    case coverage(samplesPerSide: Int)

    /// Anti-aliasing with 8 × 8 samples a pixel (values in steps of 1/64).
    public static let antialiased = Sampling.coverage(samplesPerSide: 8)
  }

  /// The side of a frame in pixels.
  public let size: Int
  /// How pixel values are found.
  public let sampling: Sampling

  /// - Throws: ``FrameError/invalidSize(_:)`` for a size below 1,
  ///   ``FrameError/invalidSampling(_:)`` for fewer than 1 sample per side.
  public init(size: Int, sampling: Sampling = .binary) throws(FrameError) {
    guard size >= 1 else { throw .invalidSize(size) }
    if case .coverage(let n) = sampling, n < 1 { throw .invalidSampling(n) }
    self.size = size
    self.sampling = sampling
  }

  /// The frame of `system` at `configuration`: `size²` values in [0, 1], row by row.
  ///
  /// - Throws: ``FrameError/invalidConfiguration(_:expectedCount:)`` when `configuration` does
  ///   not have the system's ``DrawableSystem/coordinateCount`` finite values.
  public func frame(of system: some DrawableSystem, at configuration: [Double]) throws(FrameError)
    -> [Float]
  {
    var pixels = [Float](repeating: 0, count: size * size)
    try draw(system, at: configuration, into: &pixels)
    return pixels
  }

  /// The frames of `system` at each of `configurations`, in order.
  ///
  /// - Throws: ``FrameError/invalidConfiguration(_:expectedCount:)`` for the first configuration
  ///   that cannot be drawn.
  public func frames(of system: some DrawableSystem, at configurations: [[Double]])
    throws(FrameError) -> FrameStack
  {
    var values = [Float](repeating: 0, count: configurations.count * size * size)
    var pixels = [Float](repeating: 0, count: size * size)
    for (k, q) in configurations.enumerated() {
      try draw(system, at: q, into: &pixels)
      values.replaceSubrange((k * size * size)..<((k + 1) * size * size), with: pixels)
    }
    return try FrameStack(count: configurations.count, size: size, values: values)
  }

  /// Overwrites `pixels` (`size²` values) with the frame of `system` at `configuration`.
  ///
  /// - Throws: ``FrameError/invalidConfiguration(_:expectedCount:)`` as ``frame(of:at:)``.
  public func draw(
    _ system: some DrawableSystem, at configuration: [Double], into pixels: inout [Float]
  ) throws(FrameError) {
    guard configuration.count == system.coordinateCount, configuration.allSatisfy(\.isFinite)
    else {
      throw .invalidConfiguration(configuration, expectedCount: system.coordinateCount)
    }
    draw(system.strokes(at: configuration), viewHalfWidth: system.viewHalfWidth, into: &pixels)
  }

  /// Overwrites `pixels` with `strokes` seen in the view `[−w, w]²`; it allocates nothing.
  ///
  /// Only the pixels in the strokes' bounding box are visited. With coverage sampling, a pixel
  /// whose centre lies deeper than half its diagonal inside a stroke is wholly covered and one
  /// farther than that from every stroke is empty, so only the pixels on an edge are sampled.
  func draw(_ strokes: [Stroke], viewHalfWidth w: Double, into pixels: inout [Float]) {
    for i in pixels.indices { pixels[i] = 0 }
    guard let (rows, columns) = pixelRange(of: strokes, viewHalfWidth: w) else { return }
    let side = 2 * w / Double(size)
    let halfDiagonal = side * 0.5.squareRoot()
    for row in rows {
      let y = w - (Double(row) + 0.5) * side
      for column in columns {
        let x = -w + (Double(column) + 0.5) * side
        switch sampling {
        case .binary:
          pixels[row * size + column] = covers(strokes, x: x, y: y) ? 1 : 0
        case .coverage(let n):
          var inside = false
          var near = false
          for stroke in strokes {
            let d = stroke.distanceToSegment(x: x, y: y)
            if d <= stroke.radius - halfDiagonal { inside = true }
            if d < stroke.radius + halfDiagonal { near = true }
          }
          if inside {
            pixels[row * size + column] = 1
          } else if near {
            pixels[row * size + column] = coverage(
              of: strokes, column: column, row: row, samplesPerSide: n, viewHalfWidth: w)
          }
        }
      }
    }
  }

  /// Whether (x, y) lies in any of `strokes`.
  @inline(__always)
  private func covers(_ strokes: [Stroke], x: Double, y: Double) -> Bool {
    for stroke in strokes where stroke.distanceToSegment(x: x, y: y) <= stroke.radius {
      return true
    }
    return false
  }

  /// The fraction of the n × n samples of pixel (row, column) that lie in any of `strokes`.
  private func coverage(
    of strokes: [Stroke], column: Int, row: Int, samplesPerSide n: Int, viewHalfWidth w: Double
  ) -> Float {
    let side = 2 * w / Double(size)
    var covered = 0
    for a in 0..<n {
      let y = w - (Double(row) + (Double(a) + 0.5) / Double(n)) * side
      for b in 0..<n {
        let x = -w + (Double(column) + (Double(b) + 0.5) / Double(n)) * side
        if covers(strokes, x: x, y: y) { covered += 1 }
      }
    }
    return Float(covered) / Float(n * n)
  }

  /// The rows and columns of the pixels that `strokes` may touch, clipped to the frame (nil
  /// when there are none).
  private func pixelRange(of strokes: [Stroke], viewHalfWidth w: Double)
    -> (rows: Range<Int>, columns: Range<Int>)?
  {
    guard let first = strokes.first else { return nil }
    var low = pointwiseMin(first.start, first.end) - first.radius
    var high = pointwiseMax(first.start, first.end) + first.radius
    for stroke in strokes.dropFirst() {
      low = pointwiseMin(low, pointwiseMin(stroke.start, stroke.end) - stroke.radius)
      high = pointwiseMax(high, pointwiseMax(stroke.start, stroke.end) + stroke.radius)
    }
    // Pixel units: column = (x + w) S / 2w, row = (w − y) S / 2w.
    let scale = Double(size) / (2 * w)
    let columns = clippedRange((low.x + w) * scale, (high.x + w) * scale)
    let rows = clippedRange((w - high.y) * scale, (w - low.y) * scale)
    guard !rows.isEmpty, !columns.isEmpty else { return nil }
    return (rows, columns)
  }

  /// The pixel indices from `floor(low)` to `floor(high)` inside `0..<size`.
  private func clippedRange(_ low: Double, _ high: Double) -> Range<Int> {
    let first = max(low.rounded(.down), 0)
    let last = min(high.rounded(.down), Double(size - 1))
    guard first <= last else { return 0..<0 }
    return Int(first)..<(Int(last) + 1)
  }
}
