/// Finds, for a frame, the pendulum rod that ``Rasteriser`` can draw whose image is nearest:
/// the angle `θ*` minimising the squared pixel distance `d(θ) = Σᵢ (fᵢ − rᵢ(θ))²` between the
/// frame `f` and the rod's frame `r(θ)` (``PendulumDrawing`` with one rod), and `d(θ*)`.
///
/// This is the "sharp" and "amplitude" measure of the pixel benchmark: a physical forecast is a
/// rod, so its distance is small and its angle is a pendulum's; a forecast that has dissolved
/// into a grey blur is far from every rod.
///
/// The search is a grid over the circle, then a finer grid about the best grid angle:
/// 1. the ``gridCount`` angles `2πk/N` (rod images drawn once, by
///    ``init(size:sampling:gridCount:)``), `d` from `|f|² − 2 f·r + |r|²`;
/// 2. ``refinementCount`` angles evenly spaced over one grid step either side of the best one,
///    drawn for each frame; the angle is the middle of the run of equal least distances that
///    holds the first (binary rods change only when a pixel centre crosses a rod's edge, so `d`
///    is constant over small intervals of angle, and the middle of the interval is the estimate).
public struct RodMatcher: Sendable {
  /// A frame's nearest rod.
  public struct Match: Equatable, Sendable {
    /// The rod's angle from the downward vertical, in (−π, π].
    public var angle: Double
    /// `Σᵢ (fᵢ − rᵢ)²` over the frame's pixels.
    public var squaredDistance: Double
  }

  /// Draws the rods, as the frames were drawn.
  public let rasteriser: Rasteriser
  /// The number of angles of the coarse grid.
  public let gridCount: Int
  /// The number of angles of the fine grid over two coarse steps.
  public let refinementCount = 81
  private let drawing: PendulumDrawing
  /// The grid's rod frames, one after the other.
  private let templates: [Float]
  /// `|r|²` of each grid frame.
  private let templateNorms: [Double]

  /// A matcher for frames of `size` × `size` pixels drawn with `sampling`, searching a grid of
  /// `gridCount` angles (one degree by default) before refining.
  ///
  /// - Throws: ``FrameError/invalidSize(_:)`` and ``FrameError/invalidSampling(_:)`` as
  ///   ``Rasteriser``, ``FrameError/invalidDrawingParameter(name:value:)`` for a grid of fewer
  ///   than 4 angles.
  public init(size: Int, sampling: Rasteriser.Sampling = .binary, gridCount: Int = 360)
    throws(FrameError)
  {
    guard gridCount >= 4 else {
      throw .invalidDrawingParameter(name: "number of grid angles", value: Double(gridCount))
    }
    rasteriser = try Rasteriser(size: size, sampling: sampling)
    drawing = try PendulumDrawing()
    self.gridCount = gridCount
    let pixels = size * size
    var templates = [Float](repeating: 0, count: gridCount * pixels)
    var norms = [Double](repeating: 0, count: gridCount)
    var frame = [Float](repeating: 0, count: pixels)
    for k in 0..<gridCount {
      try rasteriser.draw(drawing, at: [Self.gridAngle(k, of: gridCount)], into: &frame)
      templates.replaceSubrange((k * pixels)..<((k + 1) * pixels), with: frame)
      norms[k] = frame.reduce(0) { $0 + Double($1) * Double($1) }
    }
    self.templates = templates
    templateNorms = norms
  }

  /// The nearest rod to each frame of `frames`.
  ///
  /// - Throws: ``FrameError/sizeMismatch(expected:found:)`` for frames of another size.
  public func match(_ frames: FrameStack) throws(FrameError) -> [Match] {
    guard frames.size == rasteriser.size else {
      throw .sizeMismatch(expected: rasteriser.size, found: frames.size)
    }
    var scratch = [Float](repeating: 0, count: frames.pixelCount)
    var strokes = drawing.strokes(at: [0])
    return (0..<frames.count).map { k in
      nearestRod(to: frames.frame(k), scratch: &scratch, strokes: &strokes)
    }
  }

  /// The nearest rod to `frame` (`size²` values, row by row).
  ///
  /// - Throws: ``FrameError/valueCount(expected:found:)`` for a frame of another length.
  public func match(_ frame: [Float]) throws(FrameError) -> Match {
    let pixels = rasteriser.size * rasteriser.size
    guard frame.count == pixels else { throw .valueCount(expected: pixels, found: frame.count) }
    var scratch = [Float](repeating: 0, count: pixels)
    var strokes = drawing.strokes(at: [0])
    return nearestRod(to: frame[...], scratch: &scratch, strokes: &strokes)
  }

  /// The search of the type's description; `scratch` and `strokes` are reused, so the search
  /// allocates nothing.
  private func nearestRod(
    to frame: ArraySlice<Float>, scratch: inout [Float], strokes: inout [Stroke]
  ) -> Match {
    let pixels = frame.count
    var frameNorm = 0.0
    for value in frame { frameNorm += Double(value) * Double(value) }
    var best = (index: 0, distance: Double.infinity)
    templates.withUnsafeBufferPointer { templates in
      for k in 0..<gridCount {
        var dot = 0.0
        var i = k * pixels
        for value in frame {
          dot += Double(value) * Double(templates[i])
          i += 1
        }
        let distance = frameNorm - 2 * dot + templateNorms[k]
        if distance < best.distance { best = (k, distance) }
      }
    }
    let step = 2 * Double.pi / Double(gridCount)
    let centre = Self.gridAngle(best.index, of: gridCount)
    let fineStep = 2 * step / Double(refinementCount - 1)
    var run = (first: 0, last: 0, distance: Double.infinity)
    for j in 0..<refinementCount {
      let angle = centre - step + Double(j) * fineStep
      strokes[0] = drawing.rod(0, from: .zero, angle: angle)
      rasteriser.draw(strokes, viewHalfWidth: drawing.viewHalfWidth, into: &scratch)
      var distance = 0.0
      var i = 0
      for value in frame {
        let difference = Double(value) - Double(scratch[i])
        distance += difference * difference
        i += 1
      }
      if distance < run.distance {
        run = (j, j, distance)
      } else if distance == run.distance, run.last == j - 1 {
        run.last = j
      }
    }
    let angle = centre - step + Double(run.first + run.last) / 2 * fineStep
    return Match(angle: Self.principal(angle), squaredDistance: run.distance)
  }

  /// Grid angle k of n, `2πk/n` in (−π, π].
  private static func gridAngle(_ k: Int, of n: Int) -> Double {
    principal(2 * Double.pi * Double(k) / Double(n))
  }

  /// `angle` moved by whole turns into (−π, π].
  static func principal(_ angle: Double) -> Double {
    var result = angle.remainder(dividingBy: 2 * Double.pi)
    if result <= -Double.pi { result += 2 * Double.pi }
    return result
  }
}
