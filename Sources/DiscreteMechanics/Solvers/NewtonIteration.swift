import Manifolds

/// Newton's method for `F(x) = 0` on Rⁿ in Swift, with its buffers: the iteration of the GSL
/// solver type "vinkit-newton" (``RootFindingWorkspace``) operation for operation, so that both
/// produce the same iterates bit for bit, without GSL's `gsl_vector` traffic and C callbacks.
///
/// Each iteration factorises `J = ∂F/∂x` as `P J = L U` with partial pivoting (LAPACK's DGETF2,
/// as GSL runs it on small matrices: the first entry of largest magnitude in the column is the
/// pivot, the column below it is scaled by the pivot's reciprocal, the trailing block takes the
/// rank-1 update), solves `L U e = P F` by forward and back substitution (GSL CBLAS's `dtrsv`
/// loops), steps `x ← x − e`, and evaluates F and J at the new x. The stopping rule is
/// ``RootFinder``'s. Allocates nothing.
@usableFromInline
struct NewtonIteration {
  /// The iterate x, F(x) and J(x).
  @usableFromInline var point: [Double]
  @usableFromInline var residual: [Double]
  @usableFromInline var jacobian: Matrix
  /// L (below the diagonal, unit diagonal) and U of `P J = L U`, row-major.
  @usableFromInline var factors: [Double]
  /// Row j of the factorisation was interchanged with row `pivots[j]` ≥ j.
  @usableFromInline var pivots: [Int]
  /// The correction `dx = −e`.
  @usableFromInline var correction: [Double]

  init(dimension n: Int) {
    point = Array(repeating: 0, count: n)
    residual = point
    jacobian = .zeros(rows: n, columns: n)
    factors = Array(repeating: 0, count: n * n)
    pivots = Array(repeating: 0, count: n)
    correction = point
  }

  /// Replaces the initial guess `x` by a root of `equations` near it; on failure `x` is left as
  /// it was and the error says how far the iteration came (as GSL's driver reports it).
  @inlinable
  mutating func solve<Equations: RootFindingEquations>(
    _ x: inout [Double], settings: RootFinder, equations: Equations
  ) throws(RootFindingError) -> RootFindingStatistics {
    let n = point.count
    guard x.count == n else {
      throw .invalidInitialGuess("\(x.count) entries for \(n) unknowns")
    }
    guard x.allSatisfy(\.isFinite) else { throw .invalidInitialGuess("non-finite entry in \(x)") }
    var start = point.mutableSpan
    for i in 0..<n { start[i] = x[i] }
    guard evaluate(equations) else { throw .nonFiniteResidual(iterations: 0) }
    if Self.maxAbs(residual) == 0 { return RootFindingStatistics(iterations: 0, residualNorm: 0) }
    var previousCorrection = Double.infinity
    let iterationCap = max(1, settings.maxIterations)
    for iteration in 1...iterationCap {
      guard Self.factorise(jacobian, into: &factors, pivots: &pivots) else {
        throw .singularJacobian(iterations: iteration, residualNorm: Self.maxAbs(residual))
      }
      Self.substitute(
        factors: factors, pivots: pivots, residual: residual, correction: &correction,
        point: &point)
      guard evaluate(equations) else { throw .nonFiniteResidual(iterations: iteration) }
      let residualNorm = Self.maxAbs(residual)
      var size = 0.0
      for i in 0..<n { size = max(size, abs(correction[i])) }
      let converged = settings.hasConverged(
        residualNorm: residualNorm, correctionSize: size,
        previousCorrectionSize: previousCorrection,
        estimatesRemainingError: true, dimension: n
      ) { i in (correction[i], point[i]) }
      if converged {
        for i in 0..<n { x[i] = point[i] }
        return RootFindingStatistics(iterations: iteration, residualNorm: residualNorm)
      }
      previousCorrection = size
    }
    throw .noConvergence(iterations: iterationCap, residualNorm: Self.maxAbs(residual))
  }

  /// F and J at ``point``; whether all their entries are finite.
  @inlinable
  mutating func evaluate<Equations: RootFindingEquations>(_ equations: Equations) -> Bool {
    equations.residualAndJacobian(at: point, residual: &residual, jacobian: &jacobian)
    return residual.allSatisfy(\.isFinite) && jacobian.storage.allSatisfy(\.isFinite)
  }

  /// `P J = L U` into `factors` and `pivots`; false at a zero pivot (J singular).
  @inlinable
  static func factorise(_ jacobian: Matrix, into factors: inout [Double], pivots: inout [Int])
    -> Bool
  {
    let n = jacobian.rows
    var a = factors.mutableSpan
    var pivots = pivots.mutableSpan
    let j0 = jacobian.storage.span
    for k in 0..<(n * n) { a[k] = j0[k] }
    for j in 0..<n {
      // The first entry of largest magnitude on or below the diagonal (BLAS idamax).
      var pivot = j
      var largest = 0.0
      for i in j..<n where abs(a[i * n + j]) > largest {
        largest = abs(a[i * n + j])
        pivot = i
      }
      pivots[j] = pivot
      let ajj = a[pivot * n + j]
      if ajj == 0 { return false }
      if pivot != j {
        for k in 0..<n { a.swapAt(j * n + k, pivot * n + k) }
      }
      if j + 1 == n { break }
      if abs(ajj) >= Double.leastNormalMagnitude {
        let reciprocal = 1 / ajj
        for i in (j + 1)..<n { a[i * n + j] *= reciprocal }
      } else {
        for i in (j + 1)..<n { a[i * n + j] /= ajj }
      }
      for i in (j + 1)..<n {
        let multiplier = -a[i * n + j]
        for k in (j + 1)..<n { a[i * n + k] += a[j * n + k] * multiplier }
      }
    }
    return true
  }

  /// `e = U⁻¹ L⁻¹ P F` (F is `residual`), then `dx = −e` into `correction` and `x ← x − e`.
  @inlinable
  static func substitute(
    factors: [Double], pivots: [Int], residual: [Double], correction: inout [Double],
    point: inout [Double]
  ) {
    let n = point.count
    let a = factors.span
    var e = correction.mutableSpan
    var x = point.mutableSpan
    for i in 0..<n { e[i] = residual[i] }
    for i in 0..<n where pivots[i] != i { e.swapAt(i, pivots[i]) }
    for i in 1..<max(1, n) {
      var sum = e[i]
      for j in 0..<i { sum -= a[i * n + j] * e[j] }
      e[i] = sum
    }
    e[n - 1] = e[n - 1] / a[(n - 1) * n + (n - 1)]
    for i in stride(from: n - 2, through: 0, by: -1) {
      var sum = e[i]
      for j in (i + 1)..<n { sum -= a[i * n + j] * e[j] }
      e[i] = sum / a[i * n + i]
    }
    for i in 0..<n {
      let ei = e[i]
      e[i] = -ei
      x[i] = x[i] - ei
    }
  }

  /// `max |vᵢ|`.
  @inlinable
  static func maxAbs(_ v: [Double]) -> Double { v.reduce(0) { max($0, abs($1)) } }
}
