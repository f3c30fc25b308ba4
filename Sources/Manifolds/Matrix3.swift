/// A 3×3 real matrix stored by rows in registers; arithmetic on it allocates nothing.
public struct Matrix3: Hashable, Sendable {
  /// Row 0, 1 and 2.
  public var row0: Vector3
  public var row1: Vector3
  public var row2: Vector3

  /// The matrix with the given rows.
  @inlinable
  public init(rows row0: Vector3, _ row1: Vector3, _ row2: Vector3) {
    self.row0 = row0
    self.row1 = row1
    self.row2 = row2
  }

  /// The matrix with the given columns.
  @inlinable
  public init(columns c0: Vector3, _ c1: Vector3, _ c2: Vector3) {
    self.init(rows: c0, c1, c2)
    self = transpose
  }

  /// The matrix with entries given row by row (9 numbers, row-major).
  @inlinable
  public init(
    _ a11: Double, _ a12: Double, _ a13: Double,
    _ a21: Double, _ a22: Double, _ a23: Double,
    _ a31: Double, _ a32: Double, _ a33: Double
  ) {
    self.init(rows: Vector3(a11, a12, a13), Vector3(a21, a22, a23), Vector3(a31, a32, a33))
  }

  /// The diagonal matrix `diag(d)`.
  @inlinable
  public init(diagonal d: Vector3) {
    self.init(d.x, 0, 0, 0, d.y, 0, 0, 0, d.z)
  }

  /// The 3×3 identity.
  public static let identity = Matrix3(diagonal: Vector3(1, 1, 1))
  /// The 3×3 zero matrix.
  public static let zero = Matrix3(diagonal: Vector3(0, 0, 0))

  /// The outer product `a bᵀ`.
  @inlinable
  public static func outer(_ a: Vector3, _ b: Vector3) -> Matrix3 {
    Matrix3(rows: a.x * b, a.y * b, a.z * b)
  }

  /// The entry in row `i`, column `j` (0-based).
  @inlinable
  public subscript(i: Int, j: Int) -> Double {
    get { row(i)[j] }
    set {
      switch i {
      case 0: row0[j] = newValue
      case 1: row1[j] = newValue
      default: row2[j] = newValue
      }
    }
  }

  /// Row `i` (0-based).
  @inlinable
  public func row(_ i: Int) -> Vector3 {
    switch i {
    case 0: return row0
    case 1: return row1
    default: return row2
    }
  }

  /// Column `j` (0-based).
  @inlinable
  public func column(_ j: Int) -> Vector3 { Vector3(row0[j], row1[j], row2[j]) }

  /// The nine entries, row-major.
  public var entries: [Double] {
    [row0.x, row0.y, row0.z, row1.x, row1.y, row1.z, row2.x, row2.y, row2.z]
  }

  /// The transpose `Aᵀ`.
  @inlinable
  public var transpose: Matrix3 {
    Matrix3(
      row0.x, row1.x, row2.x,
      row0.y, row1.y, row2.y,
      row0.z, row1.z, row2.z)
  }

  /// The trace `tr A`.
  @inlinable
  public var trace: Double { row0.x + row1.y + row2.z }

  /// The diagonal `(A₁₁, A₂₂, A₃₃)`.
  @inlinable
  public var diagonal: Vector3 { Vector3(row0.x, row1.y, row2.z) }

  /// The determinant `det A = row0 · (row1 × row2)`.
  @inlinable
  public var determinant: Double { row0.dot(row1.cross(row2)) }

  /// The Frobenius norm `√(Σ Aᵢⱼ²)`.
  @inlinable
  public var frobeniusNorm: Double {
    (row0.squaredNorm + row1.squaredNorm + row2.squaredNorm).squareRoot()
  }

  /// The largest absolute entry.
  @inlinable
  public var maxAbsEntry: Double {
    let m = Swift.max(
      Swift.max(row0.x.magnitude, row0.y.magnitude, row0.z.magnitude),
      Swift.max(row1.x.magnitude, row1.y.magnitude, row1.z.magnitude))
    return Swift.max(m, row2.x.magnitude, row2.y.magnitude, row2.z.magnitude)
  }

  /// The inverse by the adjugate, or `nil` when `|det A|` is below `1e-300`.
  @inlinable
  public var inverse: Matrix3? {
    let c0 = row1.cross(row2)
    let c1 = row2.cross(row0)
    let c2 = row0.cross(row1)
    let det = row0.dot(c0)
    guard det.magnitude > 1e-300, det.isFinite else { return nil }
    return Matrix3(columns: c0, c1, c2) * (1 / det)
  }

  /// The symmetric part `(A + Aᵀ)/2`.
  @inlinable
  public var symmetricPart: Matrix3 { (self + transpose) * 0.5 }

  @inlinable
  public static func + (a: Matrix3, b: Matrix3) -> Matrix3 {
    Matrix3(rows: a.row0 + b.row0, a.row1 + b.row1, a.row2 + b.row2)
  }

  @inlinable
  public static func - (a: Matrix3, b: Matrix3) -> Matrix3 {
    Matrix3(rows: a.row0 - b.row0, a.row1 - b.row1, a.row2 - b.row2)
  }

  @inlinable
  public static prefix func - (a: Matrix3) -> Matrix3 {
    Matrix3(rows: -a.row0, -a.row1, -a.row2)
  }

  @inlinable
  public static func * (a: Matrix3, s: Double) -> Matrix3 {
    Matrix3(rows: s * a.row0, s * a.row1, s * a.row2)
  }

  @inlinable
  public static func * (s: Double, a: Matrix3) -> Matrix3 { a * s }

  /// The matrix–vector product `A v`.
  @inlinable
  public static func * (a: Matrix3, v: Vector3) -> Vector3 {
    Vector3(a.row0.dot(v), a.row1.dot(v), a.row2.dot(v))
  }

  /// The matrix product `A B` (each row of the result is a combination of B's rows).
  @inlinable
  public static func * (a: Matrix3, b: Matrix3) -> Matrix3 {
    @inline(__always) func times(_ r: Vector3) -> Vector3 {
      r.x * b.row0 + r.y * b.row1 + r.z * b.row2
    }
    return Matrix3(rows: times(a.row0), times(a.row1), times(a.row2))
  }

  /// `Aᵀ v` without forming the transpose.
  @inlinable
  public func transposeTimes(_ v: Vector3) -> Vector3 { v.x * row0 + v.y * row1 + v.z * row2 }
}

extension Matrix3: LinearMap {
  public var denseRows: [[Double]] { [row0, row1, row2].map { $0.components } }
  public func apply(_ vector: Vector3) -> Vector3 { self * vector }
  public func composed(with other: Matrix3) -> Matrix3 { self * other }
}
