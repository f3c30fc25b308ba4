import Manifolds

/// Constant actuators and linear damping on R^n: the ``GeneralisedForce``
///
///     F(q̇, u) = B u − D q̇
///
/// with a constant n×m input matrix B and a constant symmetric positive semi-definite n×n
/// dissipation matrix D. The built-in systems' actuators and damping are of this kind (a torque
/// at the pendulum's pivot, joint torques and joint friction of the double pendulum, a force on
/// the cart of the cart-pole); their `forces` build it from their parameters.
public struct ActuatorsAndDamping: GeneralisedForce, Hashable {
  /// B (n×m).
  public let inputMatrix: Matrix
  /// D (n×n, symmetric positive semi-definite).
  public let dissipation: Matrix

  public var dimension: Int { dissipation.rows }
  public var inputCount: Int { inputMatrix.columns }

  /// - Throws: ``IntegrationError/wrongDimension(name:expected:actual:)`` unless D is n×n and B
  ///   has n rows; ``IntegrationError/nonFiniteInput(name:index:value:)`` for a NaN or infinite
  ///   entry; ``IntegrationError/invalidParameter(name:value:requirement:)`` unless D is
  ///   symmetric and positive semi-definite (``validateDissipation(_:)``).
  public init(inputMatrix: Matrix, dissipation: Matrix) throws(IntegrationError) {
    let n = dissipation.rows
    guard dissipation.columns == n else {
      throw .wrongDimension(
        name: "dissipation matrix columns", expected: n, actual: dissipation.columns)
    }
    guard inputMatrix.rows == n else {
      throw .wrongDimension(name: "input matrix rows", expected: n, actual: inputMatrix.rows)
    }
    try IntegrationError.check(
      inputMatrix.storage, name: "input matrix B", dimension: inputMatrix.storage.count)
    try Self.validateDissipation(dissipation)
    self.inputMatrix = inputMatrix
    self.dissipation = dissipation
  }

  /// B and D as they are, for the built-in systems, whose D is checked by construction (a
  /// non-negative multiple of a positive semi-definite pattern).
  init(unchecked inputMatrix: Matrix, dissipation: Matrix) {
    self.inputMatrix = inputMatrix
    self.dissipation = dissipation
  }

  /// Isotropic damping `D = b I` on R^n and the inputs B (n×m; none when m = 0).
  /// - Throws: ``IntegrationError/invalidParameter(name:value:requirement:)`` naming `damping`
  ///   unless b is non-negative and finite; as ``init(inputMatrix:dissipation:)``.
  public init(inputMatrix: Matrix, damping b: Double) throws(IntegrationError) {
    let damping = try Parameter.nonNegative(b, "damping")
    try self.init(
      inputMatrix: inputMatrix,
      dissipation: .diagonal(Array(repeating: damping, count: inputMatrix.rows)))
  }

  /// Writes `B u`.
  @inlinable
  public func inputForce(at q: [Double], input u: [Double], into force: inout [Double]) {
    let (n, m) = (inputMatrix.rows, inputMatrix.columns)
    for i in 0..<n {
      var s = 0.0
      for j in 0..<m { s += inputMatrix.storage[i * m + j] * u[j] }
      force[i] = s
    }
  }

  /// Copies D.
  @inlinable
  public func dissipation(at q: [Double], into matrix: inout Matrix) {
    if matrix.rows == dissipation.rows && matrix.columns == dissipation.columns {
      for k in dissipation.storage.indices { matrix.storage[k] = dissipation.storage[k] }
    } else {
      matrix = dissipation
    }
  }

  /// Zeros: B and D do not depend on q.
  @inlinable
  public func forceJacobian(
    at q: [Double], velocity v: [Double], input u: [Double], into jacobian: inout Matrix
  ) {
    jacobian.setZero(dimension)
  }

  /// Throws unless `d` is finite, symmetric (to 1e-12 relative) and positive semi-definite: its
  /// Cholesky factorisation `D + τI = LLᵀ` exists for `τ = 1e-12 n max|Dᵢⱼ|`, which is so iff the
  /// smallest eigenvalue of D exceeds −τ (a margin above the rounding of the factorisation,
  /// about `n ε max|Dᵢⱼ|`; Golub and Van Loan, *Matrix Computations*, 4th ed., §4.2).
  public static func validateDissipation(_ d: Matrix) throws(IntegrationError) {
    let n = d.rows
    try IntegrationError.check(d.storage, name: "dissipation matrix D", dimension: n * d.columns)
    let scale = d.maxAbsEntry
    for i in 0..<n {
      for j in 0..<i where (d[i, j] - d[j, i]).magnitude > 1e-12 * scale {
        throw .invalidParameter(
          name: "D[\(i),\(j)]", value: d[i, j],
          requirement:
            "must equal D[\(j),\(i)] = \(d[j, i]) (the dissipation matrix must be symmetric)")
      }
    }
    guard scale > 0 else { return }
    let tau = 1e-12 * Double(n) * scale
    var l = Matrix.zeros(rows: n, columns: n)
    for j in 0..<n {
      var pivot = d[j, j] + tau
      for k in 0..<j { pivot -= l[j, k] * l[j, k] }
      guard pivot > 0 else {
        throw .invalidParameter(
          name: "D", value: d[j, j],
          requirement:
            "the dissipation matrix must be positive semi-definite (damping must not add energy); its pivot \(j + 1) is \(pivot - tau)"
        )
      }
      l[j, j] = pivot.squareRoot()
      for i in (j + 1)..<max(j + 1, n) {
        var s = 0.5 * (d[i, j] + d[j, i])
        for k in 0..<j { s -= l[i, k] * l[j, k] }
        l[i, j] = s / l[j, j]
      }
    }
  }
}
