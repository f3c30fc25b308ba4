/// A thick line segment with round ends (a capsule): the points of the plane within `radius` of
/// the segment from `start` to `end`. A disc is a stroke whose ends coincide.
///
/// Coordinates are those of the system's plane (x to the right, y up), in its length units.
public struct Stroke: Equatable, Sendable {
  /// One end of the segment.
  public var start: SIMD2<Double>
  /// The other end.
  public var end: SIMD2<Double>
  /// Half the stroke's thickness.
  public var radius: Double

  public init(from start: SIMD2<Double>, to end: SIMD2<Double>, radius: Double) {
    self.start = start
    self.end = end
    self.radius = radius
  }

  /// A disc of `radius` about `centre`.
  public init(discAt centre: SIMD2<Double>, radius: Double) {
    self.init(from: centre, to: centre, radius: radius)
  }

  /// The distance from (x, y) to the segment, `|p − a − t(b − a)|` with
  /// `t = clamp((p − a)·(b − a) / |b − a|², 0, 1)`; the point lies in the stroke when it is at
  /// most ``radius``. (Scalar arithmetic: it runs for every sample of every frame.)
  @inline(__always)
  func distanceToSegment(x: Double, y: Double) -> Double {
    let (ax, ay) = (start.x, start.y)
    let (dx, dy) = (end.x - ax, end.y - ay)
    let (px, py) = (x - ax, y - ay)
    let lengthSquared = dx * dx + dy * dy
    let t = lengthSquared > 0 ? min(max((px * dx + py * dy) / lengthSquared, 0), 1) : 0
    let (gx, gy) = (px - t * dx, py - t * dy)
    return (gx * gx + gy * gy).squareRoot()
  }
}
