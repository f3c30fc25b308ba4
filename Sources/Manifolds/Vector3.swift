/// A vector of R³ held in registers: `SIMD3<Double>`.
public typealias Vector3 = SIMD3<Double>

extension SIMD3 where Scalar == Double {
  /// The cross product `self × other`.
  @inlinable
  public func cross(_ other: Self) -> Self {
    Self(
      y * other.z - z * other.y,
      z * other.x - x * other.z,
      x * other.y - y * other.x)
  }

  /// The dot product `selfᵀ other`.
  @inlinable
  public func dot(_ other: Self) -> Double { (self * other).sum() }

  /// The Euclidean norm `|self|`.
  @inlinable
  public var norm: Double { (self * self).sum().squareRoot() }

  /// `|self|²`.
  @inlinable
  public var squaredNorm: Double { (self * self).sum() }
}

extension SIMD3: TangentSpaceVector where Scalar == Double {
  public var dimension: Int { 3 }
  public var components: [Double] { [x, y, z] }
  public func adding(_ delta: Double, at index: Int) -> Self {
    var result = self
    result[index] += delta
    return result
  }
  public func scaled(by scale: Double) -> Self { scale * self }
}

extension Double: TangentSpaceVector {
  public var dimension: Int { 1 }
  public var components: [Double] { [self] }
  public func adding(_ delta: Double, at index: Int) -> Double { self + delta }
  public func scaled(by scale: Double) -> Double { scale * self }
}

extension Double: LinearMap {
  public var denseRows: [[Double]] { [[self]] }
  public func apply(_ vector: Double) -> Double { self * vector }
  public func composed(with other: Double) -> Double { self * other }
}
