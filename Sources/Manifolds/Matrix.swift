/// A dense real matrix whose size is known at run time, stored row-major.
///
/// Used where the dimension is the user's (mass matrices of systems on R^n, Newton Jacobians,
/// Jacobians of ``Euclidean``). Fixed 3×3 work uses ``Matrix3`` instead.
public struct Matrix: Hashable, Sendable {
  /// The number of rows and of columns.
  public let rows: Int
  public let columns: Int
  /// Entries, row-major: entry (i, j) is `storage[i * columns + j]`.
  public var storage: [Double]

  /// A matrix from its row-major entries; `storage.count` must be `rows * columns`.
  public init(rows: Int, columns: Int, storage: [Double]) throws(ManifoldError) {
    guard storage.count == rows * columns else {
      throw .wrongDimension(name: "matrix entries", expected: rows * columns, actual: storage.count)
    }
    self.rows = rows
    self.columns = columns
    self.storage = storage
  }

  /// The `rows × columns` zero matrix.
  public static func zeros(rows: Int, columns: Int) -> Matrix {
    Matrix(unchecked: rows, columns, Array(repeating: 0, count: rows * columns))
  }

  /// The n×n identity.
  public static func identity(_ n: Int) -> Matrix {
    var m = zeros(rows: n, columns: n)
    for i in 0..<n { m[i, i] = 1 }
    return m
  }

  /// The n×n diagonal matrix `diag(d)`.
  public static func diagonal(_ d: [Double]) -> Matrix {
    var m = zeros(rows: d.count, columns: d.count)
    for i in d.indices { m[i, i] = d[i] }
    return m
  }

  @usableFromInline
  init(unchecked rows: Int, _ columns: Int, _ storage: [Double]) {
    self.rows = rows
    self.columns = columns
    self.storage = storage
  }

  /// Entry (i, j), 0-based.
  @inlinable
  public subscript(i: Int, j: Int) -> Double {
    get { storage[i * columns + j] }
    set { storage[i * columns + j] = newValue }
  }

  /// The transpose.
  public var transpose: Matrix {
    var t = Matrix.zeros(rows: columns, columns: rows)
    for i in 0..<rows {
      for j in 0..<columns { t[j, i] = self[i, j] }
    }
    return t
  }

  /// The matrix product (inner dimensions must agree: a programmer error otherwise).
  public static func * (a: Matrix, b: Matrix) -> Matrix {
    var c = Matrix.zeros(rows: a.rows, columns: b.columns)
    for i in 0..<a.rows {
      for k in 0..<a.columns {
        let aik = a[i, k]
        for j in 0..<b.columns { c[i, j] += aik * b[k, j] }
      }
    }
    return c
  }

  /// The product `A x`.
  public static func * (a: Matrix, x: [Double]) -> [Double] {
    var y = Array(repeating: 0.0, count: a.rows)
    for i in 0..<a.rows {
      var s = 0.0
      for j in 0..<a.columns { s += a[i, j] * x[j] }
      y[i] = s
    }
    return y
  }

  /// The largest absolute entry.
  public var maxAbsEntry: Double { storage.reduce(0) { Swift.max($0, $1.magnitude) } }

  /// The solution of `A x = b` by Gaussian elimination with partial pivoting, or `nil` when a
  /// pivot is zero or the result is not finite (``solveInPlace(_:)`` on copies).
  public func solve(_ b: [Double]) -> [Double]? {
    var a = self
    var x = b
    return a.solveInPlace(&x) ? x : nil
  }

  /// Solves `A x = b` by Gaussian elimination with partial pivoting without allocating: `b`
  /// becomes x, and this matrix is overwritten by the eliminated system (its upper triangle is
  /// U of `PA = LU`). Returns `false`, with both left partly eliminated, when A is not square or
  /// does not match `b`, a pivot is zero or not finite, or x is not finite.
  public mutating func solveInPlace(_ b: inout [Double]) -> Bool {
    let n = rows
    guard n == columns, b.count == n else { return false }
    for col in 0..<n {
      var pivot = col
      for r in (col + 1)..<max(col + 1, n)
      where abs(storage[r * n + col]) > abs(storage[pivot * n + col]) {
        pivot = r
      }
      let p = storage[pivot * n + col]
      guard p != 0, p.isFinite else { return false }
      if pivot != col {
        for j in 0..<n { storage.swapAt(col * n + j, pivot * n + j) }
        b.swapAt(col, pivot)
      }
      for r in (col + 1)..<max(col + 1, n) {
        let f = storage[r * n + col] / p
        if f == 0 { continue }
        for j in col..<n { storage[r * n + j] -= f * storage[col * n + j] }
        b[r] -= f * b[col]
      }
    }
    for i in stride(from: n - 1, through: 0, by: -1) {
      var s = b[i]
      for j in (i + 1)..<max(i + 1, n) { s -= storage[i * n + j] * b[j] }
      b[i] = s / storage[i * n + i]
    }
    return b.allSatisfy(\.isFinite)
  }

  /// `A⁻¹`, column by column: column j is ``solve(_:)`` of the unit vector `e_j` (Gaussian
  /// elimination with partial pivoting), or `nil` when A is not square, is singular, or the
  /// result is not finite. For a diagonal A the entries are exactly `1/Aᵢᵢ`.
  public var inverse: Matrix? {
    let n = rows
    guard n == columns else { return nil }
    var inverse = Matrix.zeros(rows: n, columns: n)
    var unit = Array(repeating: 0.0, count: n)
    for j in 0..<n {
      unit[j] = 1
      guard let column = solve(unit) else { return nil }
      unit[j] = 0
      for i in 0..<n { inverse[i, j] = column[i] }
    }
    return inverse
  }
}

extension Matrix: LinearMap {
  public var denseRows: [[Double]] {
    (0..<rows).map { i in Array(storage[(i * columns)..<((i + 1) * columns)]) }
  }
  public func apply(_ vector: RealVector) -> RealVector { RealVector(self * vector.scalars) }
  public func composed(with other: Matrix) -> Matrix { self * other }
}
