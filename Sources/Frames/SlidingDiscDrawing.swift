/// A point mass moving along a line, drawn as a disc on the horizontal axis: the
/// one-dimensional harmonic oscillator, as the VIN paper's spring–mass system is drawn
/// (steindoringi/Variational_Integrator_Networks, `systems.py`: a disc at `(q, 0)` in the view
/// `±2.5`).
///
/// The view does not depend on the motion, so a disc with `|q| > w − r` is cut by the frame's
/// edge and one with `|q| > w + r` leaves it blank.
public struct SlidingDiscDrawing: DrawableSystem, Equatable {
  public let viewHalfWidth: Double
  /// The disc's radius.
  public let radius: Double

  /// The view `[−viewHalfWidth, viewHalfWidth]²` (2.5, as the seed's) and a disc of `radius`
  /// (0.5: a fifth of the frame across).
  ///
  /// - Throws: ``FrameError/invalidDrawingParameter(name:value:)`` unless both are positive
  ///   and finite.
  public init(viewHalfWidth: Double = 2.5, radius: Double = 0.5) throws(FrameError) {
    guard viewHalfWidth.isFinite, viewHalfWidth > 0 else {
      throw .invalidDrawingParameter(name: "view half-width", value: viewHalfWidth)
    }
    guard radius.isFinite, radius > 0 else {
      throw .invalidDrawingParameter(name: "disc radius", value: radius)
    }
    self.viewHalfWidth = viewHalfWidth
    self.radius = radius
  }

  public var coordinateCount: Int { 1 }

  public func strokes(at configuration: [Double]) -> [Stroke] {
    [Stroke(discAt: SIMD2(configuration[0], 0), radius: radius)]
  }
}
