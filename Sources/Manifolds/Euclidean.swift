/// Euclidean space R^n as an (abelian) Lie group under addition, with n fixed at run time.
///
/// `exp` and `log` are the identity on coordinates, `Ad = I`, every Jacobian is `I`, and the
/// Lie algebra element of `ξ` is the translation generator `[[0, ξ], [0, 0]]` of size n+1.
///
/// The Jacobians and `hat` read n from their argument: pass a tangent vector of dimension n, not
/// ``RealVector/zero`` (the empty vector, whose Jacobians are 0×0).
public struct Euclidean: LieGroup, Hashable {
  /// The coordinates of the point.
  public var coordinates: [Double]

  /// The point with the given coordinates, after checking that they are finite.
  public init(_ coordinates: [Double]) throws(ManifoldError) {
    try requireFinite(coordinates, name: "q")
    self.coordinates = coordinates
  }

  @usableFromInline
  init(unchecked coordinates: [Double]) { self.coordinates = coordinates }

  /// n.
  public var dimension: Int { coordinates.count }

  public var identity: Euclidean { Euclidean(unchecked: Array(repeating: 0, count: dimension)) }

  /// Coordinatewise addition. The 0-dimensional point, `exp` of ``RealVector/zero``, acts as the
  /// identity of every dimension (as ``RealVector/zero`` does for `+`), so that
  /// `p.retract(.zero) == p`; otherwise the dimensions must agree.
  public static func * (lhs: Euclidean, rhs: Euclidean) -> Euclidean {
    if lhs.coordinates.isEmpty { return rhs }
    if rhs.coordinates.isEmpty { return lhs }
    return Euclidean(unchecked: zip(lhs.coordinates, rhs.coordinates).map { $0 + $1 })
  }

  public func inverse() -> Euclidean { Euclidean(unchecked: coordinates.map { -$0 }) }

  public static func exp(_ tangent: RealVector) -> Euclidean {
    Euclidean(unchecked: tangent.scalars)
  }

  public func log() -> RealVector { RealVector(coordinates) }

  /// The (n+1)×(n+1) generator `[[0, ξ], [0, 0]]`.
  public static func hat(_ tangent: RealVector) -> Matrix {
    let n = tangent.dimension
    var a = Matrix.zeros(rows: n + 1, columns: n + 1)
    for i in 0..<n { a[i, n] = tangent.scalars[i] }
    return a
  }

  /// The last column of the generator, without its last entry.
  public static func vee(_ element: Matrix) -> RealVector {
    let n = element.rows - 1
    return RealVector((0..<n).map { element[$0, n] })
  }

  public var adjoint: Matrix { .identity(dimension) }
  public static func rightJacobian(_ t: RealVector) -> Matrix { .identity(t.dimension) }
  public static func leftJacobian(_ t: RealVector) -> Matrix { .identity(t.dimension) }
  public static func rightJacobianInverse(_ t: RealVector) -> Matrix { .identity(t.dimension) }
  public static func leftJacobianInverse(_ t: RealVector) -> Matrix { .identity(t.dimension) }

  /// Translation `x + q`.
  public func act(on point: [Double]) -> [Double] { zip(point, coordinates).map { $0 + $1 } }
}
