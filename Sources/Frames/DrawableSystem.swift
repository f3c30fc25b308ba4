/// A mechanical system that can be drawn as a frame: its configuration as strokes in a square
/// view of its plane, centred on the origin.
///
/// A conformance says how one kind of system looks: ``PendulumDrawing`` (a chain of rods from the
/// image centre: the pendulum and the double pendulum), ``SlidingDiscDrawing`` (a disc moving
/// along the horizontal axis: the one-dimensional oscillator). ``Rasteriser`` turns the strokes
/// into pixels; a new system is drawn by a new conformance.
///
/// The view must not depend on the configuration, so that every frame of a video, and every
/// video of a system, shares one scale.
public protocol DrawableSystem: Sendable {
  /// The number of configuration coordinates a frame is drawn from.
  var coordinateCount: Int { get }
  /// Half the side of the square of the plane a frame shows, `[−w, w] × [−w, w]`.
  var viewHalfWidth: Double { get }
  /// The strokes that draw `configuration` (``coordinateCount`` finite values).
  func strokes(at configuration: [Double]) -> [Stroke]
}
