import Manifolds

/// The GSL fallback of ``SO3LGVI``: the 3-vector ``SO3LGVIEquation`` solved by the one GSL
/// multiroot driver, ``RootFindingWorkspace`` (Newton with the analytic Jacobian, then
/// `hybridsj` with the same Jacobian if Newton fails), allocated once and reused.
///
/// The stopping rule is that of ``RootFinder`` with the residual tolerance
/// ``SO3LGVIEquation/acceptableResidual`` and the step tolerance 1e-15: the correction is at
/// round-off (`|dxᵢ| ≤ 1e-15 (1 + |xᵢ|)`) or no longer shrinking, as in
/// ``SO3LGVIEquation/newton(from:maxIterations:)``, so the fallback also solves each step to
/// round-off.
@usableFromInline
final class SO3LGVIMultirootSolver: RootFindingEquations {
  /// The equation of the next solve.
  var equation: SO3LGVIEquation
  private let workspace: RootFindingWorkspace
  /// The iterate, in and out of the workspace.
  private var point = [0.0, 0.0, 0.0]

  /// - Throws: ``RootFindingError/stalled(iterations:residualNorm:gslStatus:)`` with `GSL_ENOMEM`
  ///   when GSL cannot allocate the workspace.
  init(equation: SO3LGVIEquation) throws(RootFindingError) {
    self.equation = equation
    workspace = try RootFindingWorkspace(dimension: 3)
  }

  /// A root from `guess`: Newton first, `hybridsj` if Newton fails; the iterations of both are
  /// counted, and a failure reports the attempt that came closer.
  func solve(from guess: Vector3, maxIterations: Int) -> SO3LGVISolution {
    // GSL's Newton, not Swift's: the LGVI's own Newton iteration has just failed.
    let finder = RootFinder(
      residualTolerance: equation.acceptableResidual, stepTolerance: 1e-15,
      maxIterations: maxIterations, swiftNewton: false)
    for i in 0..<3 { point[i] = guess[i] }
    do throws(RootFindingError) {
      let statistics = try finder.solve(&point, in: workspace, equations: self)
      let root = Vector3(point[0], point[1], point[2])
      return SO3LGVISolution(
        root: root, iterations: statistics.iterations, residualNorm: statistics.residualNorm,
        converged: true,
        inverseJacobian: equation.residualAndJacobian(at: root).jacobian.inverse ?? .zero)
    } catch {
      return SO3LGVISolution(
        root: guess, iterations: error.iterations, residualNorm: error.residualNorm,
        converged: false, inverseJacobian: .zero)
    }
  }

  @usableFromInline
  func residual(at x: [Double], into residual: inout [Double]) {
    let g = equation.residual(at: Vector3(x[0], x[1], x[2]))
    for i in 0..<3 { residual[i] = g[i] }
  }

  @usableFromInline
  func jacobian(at x: [Double], into jacobian: inout Matrix) {
    let dg = equation.residualAndJacobian(at: Vector3(x[0], x[1], x[2])).jacobian
    for i in 0..<3 {
      for j in 0..<3 { jacobian[i, j] = dg[i, j] }
    }
  }
}
