import CGSL
import Manifolds

/// Why a root finder stopped without a root.
public enum RootFindingError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The iteration cap was reached before the tolerance was met.
  case noConvergence(iterations: Int, residualNorm: Double)
  /// The Jacobian was singular (GSL reported `GSL_ESING`: a zero pivot in Newton's LU
  /// factorisation, or a singular Jacobian in `hybridsj`).
  case singularJacobian(iterations: Int, residualNorm: Double)
  /// The residual (or the Jacobian) had a NaN or infinite entry.
  case nonFiniteResidual(iterations: Int)
  /// The solver made no progress (GSL `GSL_ENOPROG`/`GSL_ENOPROGJ`) or failed otherwise.
  case stalled(iterations: Int, residualNorm: Double, gslStatus: Int32)
  /// The initial guess has the wrong number of entries or a non-finite entry.
  case invalidInitialGuess(String)

  public var description: String {
    switch self {
    case .noConvergence(let n, let r):
      return "root finder did not converge in \(n) iterations (residual norm \(r))"
    case .singularJacobian(let n, let r):
      return "singular Jacobian after \(n) iterations (residual norm \(r))"
    case .nonFiniteResidual(let n):
      return "residual became non-finite after \(n) iterations"
    case .stalled(let n, let r, let status):
      return
        "root finder stopped making progress after \(n) iterations with the residual norm at \(r), above its tolerance (\(Self.gslStatusName(status)))"
    case .invalidInitialGuess(let why):
      return "invalid initial guess: \(why)"
    }
  }
}

extension RootFindingError {
  /// GSL's name and meaning of the statuses a multiroot solver stops with.
  static func gslStatusName(_ status: Int32) -> String {
    switch status {
    case Int32(GSL_ENOPROG): return "GSL_ENOPROG: the iterations are not improving the solution"
    case Int32(GSL_ENOPROGJ):
      return "GSL_ENOPROGJ: the Jacobian evaluations are not improving the solution"
    default: return "GSL status \(status)"
    }
  }

  /// The iterations taken before the failure (0 for an invalid initial guess).
  @usableFromInline var iterations: Int {
    switch self {
    case .noConvergence(let n, _), .singularJacobian(let n, _), .nonFiniteResidual(let n),
      .stalled(let n, _, _):
      return n
    case .invalidInitialGuess: return 0
    }
  }

  /// The residual norm reached before the failure: infinite for a non-finite residual, NaN for
  /// an invalid initial guess.
  var residualNorm: Double {
    switch self {
    case .noConvergence(_, let r), .singularJacobian(_, let r), .stalled(_, let r, _): return r
    case .nonFiniteResidual: return .infinity
    case .invalidInitialGuess: return .nan
    }
  }

  /// The same failure with `count` more iterations (those of an earlier, failed method).
  func addingIterations(_ count: Int) -> RootFindingError {
    switch self {
    case .noConvergence(let n, let r): return .noConvergence(iterations: n + count, residualNorm: r)
    case .singularJacobian(let n, let r):
      return .singularJacobian(iterations: n + count, residualNorm: r)
    case .nonFiniteResidual(let n): return .nonFiniteResidual(iterations: n + count)
    case .stalled(let n, let r, let s):
      return .stalled(iterations: n + count, residualNorm: r, gslStatus: s)
    case .invalidInitialGuess: return self
    }
  }
}

/// A root `x` of `F(x) = 0` with how it was reached.
public struct RootFindingResult: Sendable {
  /// The root.
  public var root: [Double]
  /// Iterations taken, including those of a failed Newton attempt before the fallback.
  public var iterations: Int
  /// `max_i |F_i(root)|`.
  public var residualNorm: Double
}

/// How a root found in place (``RootFinder/solve(_:in:equations:)``) was reached.
public struct RootFindingStatistics: Equatable, Sendable {
  /// Iterations taken, including those of a failed Newton attempt before the fallback.
  public var iterations: Int
  /// `max_i |F_i(root)|`.
  public var residualNorm: Double

  @usableFromInline
  init(iterations: Int, residualNorm: Double) {
    self.iterations = iterations
    self.residualNorm = residualNorm
  }
}

/// Solves `F(x) = 0` on R^n by Newton's method, with GSL's `gsl_multiroot` solvers as the
/// reference and the fallback.
///
/// With a Jacobian, Newton's method runs first: by default in Swift (``swiftNewton``), with the
/// iterates of the GSL solver type "vinkit-newton" (GSL's `newton` without its per-iteration
/// allocation, see ``RootFindingWorkspace``) bit for bit; with `swiftNewton = false` in GSL,
/// as vinkit-newton. When Newton fails, Powell's hybrid method with the same Jacobian (GSL's
/// `hybridsj`) runs from the same guess. Without a Jacobian,
/// `gsl_multiroot_fsolver_hybrids` with a finite-difference one. When both methods
/// fail, the failure of the one that reached the smaller residual is thrown, with the iterations
/// of both. Iteration stops when `max |F| ≤ residualTolerance` and the last correction dx
/// satisfies `|dx_i| ≤ stepTolerance · (1 + |x_i|)`, or the corrections stop shrinking (the
/// iterate has reached round-off), or, for Newton, the estimated remaining error
/// `θ/(1 − θ) |dx_i|` is within that bound, with the contraction `θ = max|dxₖ|/max|dxₖ₋₁| < 1` of
/// the last two corrections (the stopping criterion of Hairer and Wanner, *Solving Ordinary
/// Differential Equations II*, 1996, §IV.8; it holds for linear convergence too, as with an
/// approximate Jacobian, and quadratic convergence only makes it safer). This saves the last
/// iteration of a solve to round-off, whose correction would change nothing.
///
/// ``solve(initialGuess:residual:jacobian:)`` sets up the GSL solvers for one solve; to solve
/// many systems of one size (one per time step) without allocating, keep a
/// ``RootFindingWorkspace`` and call ``solve(_:in:equations:)``.
///
/// GSL's default error handler aborts the process; it is switched off once, on first use.
public struct RootFinder: Sendable {
  /// The residual tolerance `max |F| ≤ residualTolerance`.
  public var residualTolerance: Double
  /// The relative correction tolerance.
  public var stepTolerance: Double
  /// The iteration cap (per method).
  public var maxIterations: Int
  /// Whether Newton's method runs in Swift (``solve(_:in:equations:)`` then works without C
  /// callbacks, and is specialised for the caller's equations) rather than in GSL. Both run the
  /// same iteration on the same numbers: LU factorisation with partial pivoting as GSL's,
  /// substitution as GSL's BLAS, the stopping rule above; so the roots, iteration counts and
  /// failures are the same.
  public var swiftNewton: Bool

  public init(
    residualTolerance: Double = 1e-12, stepTolerance: Double = 1e-15, maxIterations: Int = 50,
    swiftNewton: Bool = true
  ) {
    self.residualTolerance = residualTolerance
    self.stepTolerance = stepTolerance
    self.maxIterations = maxIterations
    self.swiftNewton = swiftNewton
  }

  /// The stopping rule above, after an iteration that moved the iterate by dx to x: whether
  /// `residualNorm = max |F(x)|` is 0, or is within ``residualTolerance`` and dx is at
  /// round-off (`|dxᵢ| ≤ stepTolerance (1 + |xᵢ|)` for every i), or the corrections stopped
  /// shrinking, or (with `estimatesRemainingError`, for Newton's method) the remaining error
  /// `θ/(1 − θ) |dxᵢ|`, `θ = max|dx| / previousCorrectionSize < 1`, is within that bound.
  /// The one statement of the rule, for every Newton iteration of DiscreteMechanics and for
  /// batched callers that iterate many systems at once.
  ///
  /// - Parameters:
  ///   - residualNorm: `max |F(x)|`.
  ///   - correctionSize: `max |dxᵢ|`.
  ///   - previousCorrectionSize: the previous iteration's `max |dxᵢ|`, ∞ after the first.
  ///   - estimatesRemainingError: whether to use Newton's estimate of its remaining error.
  ///   - n: the number of unknowns.
  ///   - entry: `(dxᵢ, xᵢ)` for i in `0..<n`.
  @inlinable
  public func hasConverged(
    residualNorm: Double, correctionSize: Double, previousCorrectionSize: Double,
    estimatesRemainingError: Bool, dimension n: Int,
    entry: (Int) -> (correction: Double, point: Double)
  ) -> Bool {
    if residualNorm == 0 { return true }
    guard residualNorm <= residualTolerance else { return false }
    if correctionSize >= previousCorrectionSize { return true }
    let contraction =
      estimatesRemainingError && previousCorrectionSize.isFinite
      ? correctionSize / previousCorrectionSize : .infinity
    var small = true
    var nextSmall = true
    for i in 0..<n {
      let (dx, x) = entry(i)
      let d = abs(dx)
      let bound = stepTolerance * (1 + abs(x))
      if d > bound { small = false }
      if !(contraction < 1 && contraction / (1 - contraction) * d <= bound) { nextSmall = false }
    }
    return small || nextSmall
  }

  /// A root of `residual` near `initialGuess`, in a workspace of its own.
  ///
  /// - Parameters:
  ///   - initialGuess: the start of the iteration; its length is the dimension n.
  ///   - residual: writes `F(x)` into its second argument (same length as `x`).
  ///   - jacobian: writes `∂F/∂x` (row-major n×n) into its second argument; `nil` to use
  ///     finite differences.
  /// - Throws: ``RootFindingError`` when no root is found (the failure of the attempt that came
  ///   closer, with the iterations of both methods) or the guess is empty or not finite.
  public func solve(
    initialGuess: [Double],
    residual: ([Double], inout [Double]) -> Void,
    jacobian: (([Double], inout Matrix) -> Void)? = nil
  ) throws(RootFindingError) -> RootFindingResult {
    guard !initialGuess.isEmpty else { throw .invalidInitialGuess("empty") }
    let workspace = try RootFindingWorkspace(dimension: initialGuess.count)
    var root = initialGuess
    let statistics = try withoutActuallyEscaping(residual) {
      (residual) throws(RootFindingError) in
      guard let jacobian else {
        return try workspace.solve(
          &root, settings: self, equations: ClosureEquations(residual, jacobian: nil),
          analyticJacobian: false)
      }
      return try withoutActuallyEscaping(jacobian) { (jacobian) throws(RootFindingError) in
        try solve(&root, in: workspace, equations: ClosureEquations(residual, jacobian: jacobian))
      }
    }
    return RootFindingResult(
      root: root, iterations: statistics.iterations, residualNorm: statistics.residualNorm)
  }

  /// Replaces the initial guess `x` by a root of `equations` near it, working in `workspace`:
  /// Newton's method with the analytic Jacobian (in Swift or GSL, see ``swiftNewton``), then
  /// `hybridsj`, with the stopping rule of ``solve(initialGuess:residual:jacobian:)``. Newton's
  /// iteration evaluates F and ∂F/∂x together
  /// (``RootFindingEquations/residualAndJacobian(at:residual:jacobian:)``).
  ///
  /// Once the workspace has used its solvers, this allocates nothing beyond what `equations`
  /// allocates (see ``RootFindingWorkspace``); Newton in Swift allocates nothing at all. The
  /// arrays the equations receive belong to the workspace and must not be kept.
  ///
  /// - Parameters:
  ///   - x: the initial guess, of length `workspace.dimension`; the root on return. It is left
  ///     unchanged when an error is thrown.
  ///   - workspace: the GSL solvers and buffers.
  ///   - equations: `F` and `∂F/∂x`.
  /// - Throws: ``RootFindingError`` when no root is found, or
  ///   ``RootFindingError/invalidInitialGuess(_:)`` when `x` has the wrong length or a
  ///   non-finite entry.
  @inlinable @discardableResult
  public func solve<Equations: RootFindingEquations>(
    _ x: inout [Double], in workspace: RootFindingWorkspace, equations: Equations
  ) throws(RootFindingError) -> RootFindingStatistics {
    guard swiftNewton else {
      return try workspace.solve(&x, settings: self, equations: equations, analyticJacobian: true)
    }
    let newtonFailure: RootFindingError
    do throws(RootFindingError) {
      return try workspace.newtonIteration.solve(&x, settings: self, equations: equations)
    } catch {
      if case .invalidInitialGuess = error { throw error }
      newtonFailure = error
    }
    return try workspace.solve(
      &x, settings: self, equations: equations, analyticJacobian: true,
      newtonFailure: newtonFailure)
  }
}

/// The residual and Jacobian closures of ``RootFinder/solve(initialGuess:residual:jacobian:)``.
private final class ClosureEquations: RootFindingEquations {
  let residual: ([Double], inout [Double]) -> Void
  let jacobian: (([Double], inout Matrix) -> Void)?

  init(
    _ residual: @escaping ([Double], inout [Double]) -> Void,
    jacobian: (([Double], inout Matrix) -> Void)?
  ) {
    self.residual = residual
    self.jacobian = jacobian
  }

  func residual(at x: [Double], into residual: inout [Double]) { self.residual(x, &residual) }
  func jacobian(at x: [Double], into jacobian: inout Matrix) { self.jacobian?(x, &jacobian) }
}

/// Switches GSL's abort-on-error handler off, once per process; errors come back as status codes.
enum GSLErrorHandler {
  static let disableAbort: Void = { _ = gsl_set_error_handler_off() }()
}
