/// A vector of R^n whose dimension is known only at run time.
///
/// `zero` is the empty vector and acts as the zero of every dimension in `+` and `-`, which is
/// what `AdditiveArithmetic` needs when n is not part of the type.
public struct RealVector: TangentSpaceVector, AdditiveArithmetic, Hashable,
  ExpressibleByArrayLiteral
{
  /// The coordinates.
  public var scalars: [Double]

  @inlinable
  public init(_ scalars: [Double]) { self.scalars = scalars }

  public init(arrayLiteral elements: Double...) { scalars = elements }

  public static var zero: RealVector { RealVector([]) }

  public var dimension: Int { scalars.count }
  public var components: [Double] { scalars }

  public func adding(_ delta: Double, at index: Int) -> RealVector {
    var result = self
    result.scalars[index] += delta
    return result
  }

  public func scaled(by scale: Double) -> RealVector { RealVector(scalars.map { scale * $0 }) }

  public static func + (lhs: RealVector, rhs: RealVector) -> RealVector {
    if lhs.scalars.isEmpty { return rhs }
    if rhs.scalars.isEmpty { return lhs }
    return RealVector(zip(lhs.scalars, rhs.scalars).map { $0 + $1 })
  }

  public static func - (lhs: RealVector, rhs: RealVector) -> RealVector {
    lhs + rhs.scaled(by: -1)
  }
}
