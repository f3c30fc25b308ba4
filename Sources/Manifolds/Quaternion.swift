/// A quaternion `w + x i + y j + z k` (Hamilton convention, scalar first).
///
/// Unit quaternions represent rotations; ``SO3/init(quaternion:)`` and ``SO3/quaternion`` convert.
public struct Quaternion: Hashable, Sendable {
  public var w: Double
  public var x: Double
  public var y: Double
  public var z: Double

  @inlinable
  public init(w: Double, x: Double, y: Double, z: Double) {
    self.w = w
    self.x = x
    self.y = y
    self.z = z
  }

  /// `√(w² + x² + y² + z²)`.
  @inlinable
  public var norm: Double { (w * w + x * x + y * y + z * z).squareRoot() }

  /// `s · q`.
  @inlinable
  public func scaled(by s: Double) -> Quaternion {
    Quaternion(w: s * w, x: s * x, y: s * y, z: s * z)
  }

  /// The Hamilton product `a b`.
  @inlinable
  public static func * (a: Quaternion, b: Quaternion) -> Quaternion {
    Quaternion(
      w: a.w * b.w - a.x * b.x - a.y * b.y - a.z * b.z,
      x: a.w * b.x + a.x * b.w + a.y * b.z - a.z * b.y,
      y: a.w * b.y - a.x * b.z + a.y * b.w + a.z * b.x,
      z: a.w * b.z + a.x * b.y - a.y * b.x + a.z * b.w)
  }
}
