import CGSL
import Manifolds

/// The solvers and buffers for solving `F(x) = 0` on R^n again and again without allocating:
/// ``RootFinder/solve(_:in:equations:)`` works in them. They are Newton's method in Swift
/// (``RootFinder/swiftNewton``) and GSL's multiroot solvers.
///
/// Each GSL solver (Newton and `hybridsj` with a Jacobian, `hybrids` without) is allocated on
/// its first use and kept until the workspace is freed; the function record GSL calls back
/// through and the buffers handed to the Swift residual and Jacobian are allocated once, in the
/// initialiser. After a solver's first use, a solve therefore allocates nothing, in Swift or in
/// GSL, as long as the equations allocate nothing themselves.
///
/// Newton's method runs as the solver type "vinkit-newton" (`cgsl_multiroot_vinkit_newton` in
/// the `CGSL` shim), not GSL's `gsl_multiroot_fdfsolver_newton`: from GSL 2.7 on, `newton`'s LU
/// factorisation (`gsl_linalg_LU_decomp`) allocates and frees its pivot vector on every call,
/// three `malloc`s per Newton iteration. vinkit-newton is the same iteration in GSL's multiroot
/// framework, with the same partial-pivoting LU factorisation and solve from GSL's linear algebra
/// and BLAS, and its pivots allocated once with the solver; it reports a singular Jacobian as
/// `GSL_ESING`.
///
/// A workspace is a mutable reference: one solve at a time.
public final class RootFindingWorkspace {
  /// The number of unknowns n.
  public let dimension: Int
  /// Newton's method in Swift, with its buffers (one solve at a time, so no run-time
  /// exclusivity check).
  @exclusivity(unchecked) @usableFromInline var newtonIteration: NewtonIteration

  private var newton: UnsafeMutablePointer<gsl_multiroot_fdfsolver>?
  private var hybridsj: UnsafeMutablePointer<gsl_multiroot_fdfsolver>?
  private var hybrids: UnsafeMutablePointer<gsl_multiroot_fsolver>?
  /// The initial guess as GSL reads it.
  private let start: UnsafeMutablePointer<gsl_vector>
  /// The function records GSL calls back through; `params` is this workspace.
  private let functionWithJacobian: UnsafeMutablePointer<gsl_multiroot_function_fdf>
  private let function: UnsafeMutablePointer<gsl_multiroot_function>

  /// What the C callbacks work on: one stored property, so that a callback makes one access to
  /// this class (each is checked for exclusivity at run time).
  private var callbacks: Callbacks

  /// - Throws: ``RootFindingError/invalidInitialGuess(_:)`` unless `dimension ≥ 1`;
  ///   ``RootFindingError/stalled(iterations:residualNorm:gslStatus:)`` with `GSL_ENOMEM` when
  ///   GSL cannot allocate the start vector.
  public init(dimension: Int) throws(RootFindingError) {
    guard dimension >= 1 else {
      throw .invalidInitialGuess("no unknowns (dimension \(dimension))")
    }
    GSLErrorHandler.disableAbort
    guard let start = gsl_vector_alloc(dimension) else { throw outOfMemory }
    self.dimension = dimension
    newtonIteration = NewtonIteration(dimension: dimension)
    self.start = start
    callbacks = Callbacks(dimension: dimension)
    functionWithJacobian = .allocate(capacity: 1)
    functionWithJacobian.initialize(
      to: gsl_multiroot_function_fdf(
        f: residualCallback, df: jacobianCallback, fdf: residualAndJacobianCallback, n: dimension,
        params: nil))
    function = .allocate(capacity: 1)
    function.initialize(to: gsl_multiroot_function(f: residualCallback, n: dimension, params: nil))
    let params = Unmanaged.passUnretained(self).toOpaque()
    functionWithJacobian.pointee.params = params
    function.pointee.params = params
  }

  deinit {
    if let newton { gsl_multiroot_fdfsolver_free(newton) }
    if let hybridsj { gsl_multiroot_fdfsolver_free(hybridsj) }
    if let hybrids { gsl_multiroot_fsolver_free(hybrids) }
    gsl_vector_free(start)
    functionWithJacobian.deallocate()
    function.deallocate()
  }

  /// Runs GSL's Newton, then `hybridsj` if Newton fails, with the analytic Jacobian; or
  /// `hybrids` with a finite-difference one (see ``RootFinder``). With `newtonFailure`, Newton
  /// has already run from `x` and failed so (in Swift, with GSL Newton's iterates), and only
  /// `hybridsj` runs. On success `x` holds the root; on failure it is left as it was.
  @usableFromInline
  func solve(
    _ x: inout [Double], settings: RootFinder, equations: any RootFindingEquations,
    analyticJacobian: Bool, newtonFailure swiftNewtonFailure: RootFindingError? = nil
  ) throws(RootFindingError) -> RootFindingStatistics {
    try check(x)
    callbacks.equations = equations
    defer { callbacks.equations = nil }
    guard analyticJacobian else { return try run(.hybrids, &x, settings) }
    let newtonFailure: RootFindingError
    if let swiftNewtonFailure {
      newtonFailure = swiftNewtonFailure
    } else {
      do throws(RootFindingError) {
        return try run(.newton, &x, settings)
      } catch {
        newtonFailure = error
      }
    }
    do throws(RootFindingError) {
      var statistics = try run(.hybridsj, &x, settings)
      statistics.iterations += newtonFailure.iterations
      return statistics
    } catch {
      // Report the attempt that came closer (hybridsj on a tie): a fallback that diverged says
      // less than Newton's singular Jacobian, and vice versa.
      let closer = newtonFailure.residualNorm < error.residualNorm ? newtonFailure : error
      throw closer.addingIterations(
        newtonFailure.iterations + error.iterations - closer.iterations)
    }
  }

  /// Throws unless `x` has ``dimension`` finite entries.
  private func check(_ x: [Double]) throws(RootFindingError) {
    guard x.count == dimension else {
      throw .invalidInitialGuess("\(x.count) entries for \(dimension) unknowns")
    }
    guard x.allSatisfy(\.isFinite) else { throw .invalidInitialGuess("non-finite entry in \(x)") }
  }

  private enum Method { case newton, hybridsj, hybrids }

  /// One GSL solver, with or without a Jacobian, behind one interface.
  private enum Solver {
    case withJacobian(UnsafeMutablePointer<gsl_multiroot_fdfsolver>)
    case finiteDifference(UnsafeMutablePointer<gsl_multiroot_fsolver>)

    func iterate() -> Int32 {
      switch self {
      case .withJacobian(let s): return gsl_multiroot_fdfsolver_iterate(s)
      case .finiteDifference(let s): return gsl_multiroot_fsolver_iterate(s)
      }
    }

    /// The current iterate x, residual F(x) and last correction dx.
    var x: UnsafeMutablePointer<gsl_vector> {
      switch self {
      case .withJacobian(let s): return s.pointee.x
      case .finiteDifference(let s): return s.pointee.x
      }
    }
    var f: UnsafeMutablePointer<gsl_vector> {
      switch self {
      case .withJacobian(let s): return s.pointee.f
      case .finiteDifference(let s): return s.pointee.f
      }
    }
    var dx: UnsafeMutablePointer<gsl_vector> {
      switch self {
      case .withJacobian(let s): return s.pointee.dx
      case .finiteDifference(let s): return s.pointee.dx
      }
    }
  }

  /// The solver of `method`, allocated on first use.
  private func solver(_ method: Method) throws(RootFindingError) -> Solver {
    switch method {
    case .newton:
      if newton == nil {
        newton = gsl_multiroot_fdfsolver_alloc(cgsl_multiroot_vinkit_newton(), dimension)
      }
      guard let newton else { throw outOfMemory }
      return .withJacobian(newton)
    case .hybridsj:
      if hybridsj == nil {
        hybridsj = gsl_multiroot_fdfsolver_alloc(cgsl_multiroot_hybridsj(), dimension)
      }
      guard let hybridsj else { throw outOfMemory }
      return .withJacobian(hybridsj)
    case .hybrids:
      if hybrids == nil {
        hybrids = gsl_multiroot_fsolver_alloc(cgsl_multiroot_hybrids(), dimension)
      }
      guard let hybrids else { throw outOfMemory }
      return .finiteDifference(hybrids)
    }
  }

  /// Iterates `method` from `x` until the stopping rule of ``RootFinder`` holds.
  private func run(_ method: Method, _ x: inout [Double], _ settings: RootFinder)
    throws(RootFindingError) -> RootFindingStatistics
  {
    let n = dimension
    let solver = try solver(method)
    for i in 0..<n { gsl_vector_set(start, i, x[i]) }
    callbacks.sawNonFinite = false
    let setStatus =
      switch solver {
      case .withJacobian(let s): gsl_multiroot_fdfsolver_set(s, functionWithJacobian, start)
      case .finiteDifference(let s): gsl_multiroot_fsolver_set(s, function, start)
      }
    if callbacks.sawNonFinite { throw .nonFiniteResidual(iterations: 0) }
    if setStatus != gslSuccess {
      throw .stalled(iterations: 0, residualNorm: .nan, gslStatus: setStatus)
    }
    if maxAbs(solver.f) == 0 { return RootFindingStatistics(iterations: 0, residualNorm: 0) }
    var previousCorrection = Double.infinity
    let iterationCap = max(1, settings.maxIterations)
    for iteration in 1...iterationCap {
      let status = solver.iterate()
      if callbacks.sawNonFinite { throw .nonFiniteResidual(iterations: iteration) }
      let residualNorm = maxAbs(solver.f)
      guard residualNorm.isFinite else { throw .nonFiniteResidual(iterations: iteration) }
      if status == Int32(GSL_ESING) {
        throw .singularJacobian(iterations: iteration, residualNorm: residualNorm)
      }
      if status != gslSuccess {
        throw .stalled(iterations: iteration, residualNorm: residualNorm, gslStatus: status)
      }
      let current = solver.x
      let dx = solver.dx
      var correction = 0.0
      for i in 0..<n { correction = max(correction, abs(gsl_vector_get(dx, i))) }
      // Newton's estimate of its remaining error; none for the other methods.
      let converged = settings.hasConverged(
        residualNorm: residualNorm, correctionSize: correction,
        previousCorrectionSize: previousCorrection, estimatesRemainingError: method == .newton,
        dimension: n
      ) { i in (gsl_vector_get(dx, i), gsl_vector_get(current, i)) }
      if converged {
        for i in 0..<n { x[i] = gsl_vector_get(current, i) }
        return RootFindingStatistics(iterations: iteration, residualNorm: residualNorm)
      }
      previousCorrection = correction
    }
    throw .noConvergence(iterations: iterationCap, residualNorm: maxAbs(solver.f))
  }

  private func maxAbs(_ v: UnsafePointer<gsl_vector>) -> Double {
    var m = 0.0
    for i in 0..<dimension { m = max(m, abs(gsl_vector_get(v, i))) }
    return m
  }

  fileprivate func evaluateResidual(
    at x: UnsafePointer<gsl_vector>, into out: UnsafeMutablePointer<gsl_vector>
  ) -> Int32 {
    callbacks.evaluateResidual(at: x, into: out)
  }

  fileprivate func evaluateJacobian(
    at x: UnsafePointer<gsl_vector>, into out: UnsafeMutablePointer<gsl_matrix>
  ) -> Int32 {
    callbacks.evaluateJacobian(at: x, into: out)
  }

  fileprivate func evaluateResidualAndJacobian(
    at x: UnsafePointer<gsl_vector>, into out: UnsafeMutablePointer<gsl_vector>,
    jacobian jacobianOut: UnsafeMutablePointer<gsl_matrix>
  ) -> Int32 {
    callbacks.evaluateResidualAndJacobian(at: x, into: out, jacobian: jacobianOut)
  }
}

/// The equations of the solve in progress and the buffers through which GSL's callbacks reach
/// them.
private struct Callbacks {
  /// `nil` between solves. An object, not closures: closures kept for the C callbacks would be
  /// reabstracted, which allocates at every solve.
  var equations: (any RootFindingEquations)?
  /// The point `x`, the residual `F(x)` and the Jacobian `∂F/∂x` as the equations see them.
  var point: [Double]
  var value: [Double]
  var jacobian: Matrix
  /// Set by a callback that saw a NaN or infinite residual or Jacobian entry.
  var sawNonFinite = false

  init(dimension n: Int) {
    point = Array(repeating: 0, count: n)
    value = point
    jacobian = .zeros(rows: n, columns: n)
  }

  /// Copies GSL's `x` into ``point``.
  private mutating func load(_ x: UnsafePointer<gsl_vector>) {
    for i in point.indices { point[i] = gsl_vector_get(x, i) }
  }

  mutating func evaluateResidual(
    at x: UnsafePointer<gsl_vector>, into out: UnsafeMutablePointer<gsl_vector>
  ) -> Int32 {
    load(x)
    equations?.residual(at: point, into: &value)
    return storeResidual(into: out)
  }

  /// Copies ``value`` into GSL's `out`; `GSL_EBADFUNC` if an entry is not finite.
  private mutating func storeResidual(into out: UnsafeMutablePointer<gsl_vector>) -> Int32 {
    var finite = true
    for i in value.indices {
      gsl_vector_set(out, i, value[i])
      finite = finite && value[i].isFinite
    }
    guard finite else {
      sawNonFinite = true
      return gslBadFunction
    }
    return gslSuccess
  }

  mutating func evaluateJacobian(
    at x: UnsafePointer<gsl_vector>, into out: UnsafeMutablePointer<gsl_matrix>
  ) -> Int32 {
    load(x)
    equations?.jacobian(at: point, into: &jacobian)
    return storeJacobian(into: out)
  }

  /// F and ∂F/∂x in one evaluation (the equations' ``RootFindingEquations/residualAndJacobian(at:residual:jacobian:)``,
  /// as Newton in Swift evaluates them, so that GSL's Newton sees the same numbers).
  mutating func evaluateResidualAndJacobian(
    at x: UnsafePointer<gsl_vector>, into out: UnsafeMutablePointer<gsl_vector>,
    jacobian jacobianOut: UnsafeMutablePointer<gsl_matrix>
  ) -> Int32 {
    load(x)
    equations?.residualAndJacobian(at: point, residual: &value, jacobian: &jacobian)
    let status = storeResidual(into: out)
    return status == gslSuccess ? storeJacobian(into: jacobianOut) : status
  }

  /// Copies ``jacobian`` into GSL's `out`; `GSL_EBADFUNC` if an entry is not finite.
  private mutating func storeJacobian(into out: UnsafeMutablePointer<gsl_matrix>) -> Int32 {
    var finite = true
    for r in point.indices {
      for c in point.indices {
        let entry = jacobian[r, c]
        gsl_matrix_set(out, r, c, entry)
        finite = finite && entry.isFinite
      }
    }
    guard finite else {
      sawNonFinite = true
      return gslBadFunction
    }
    return gslSuccess
  }
}

/// A system `F(x) = 0` of n equations in n unknowns with its Jacobian, as
/// ``RootFinder/solve(_:in:equations:)`` evaluates it.
///
/// It is a class so that the solver can keep it for GSL's callbacks without allocating.
public protocol RootFindingEquations: AnyObject {
  /// Writes `F(x)` into `residual` (length n).
  func residual(at x: [Double], into residual: inout [Double])
  /// Writes `∂F/∂x` into `jacobian` (n×n, entry (i, j) = `∂Fᵢ/∂xⱼ`).
  func jacobian(at x: [Double], into jacobian: inout Matrix)
  /// Writes `F(x)` and `∂F/∂x` at the same x, as Newton's method needs them; the default
  /// evaluates the two separately, a conforming type may share the work between them.
  func residualAndJacobian(at x: [Double], residual: inout [Double], jacobian: inout Matrix)
}

extension RootFindingEquations {
  public func residualAndJacobian(
    at x: [Double], residual: inout [Double], jacobian: inout Matrix
  ) {
    self.residual(at: x, into: &residual)
    self.jacobian(at: x, into: &jacobian)
  }
}

/// The workspace behind a callback's `params` pointer.
private func workspace(_ params: UnsafeMutableRawPointer?) -> RootFindingWorkspace? {
  guard let params else { return nil }
  return Unmanaged<RootFindingWorkspace>.fromOpaque(params).takeUnretainedValue()
}

private let residualCallback:
  @convention(c) (
    UnsafePointer<gsl_vector>?, UnsafeMutableRawPointer?, UnsafeMutablePointer<gsl_vector>?
  ) -> Int32 = { x, params, out in
    guard let x, let out, let workspace = workspace(params) else { return gslFault }
    return workspace.evaluateResidual(at: x, into: out)
  }

private let jacobianCallback:
  @convention(c) (
    UnsafePointer<gsl_vector>?, UnsafeMutableRawPointer?, UnsafeMutablePointer<gsl_matrix>?
  ) -> Int32 = { x, params, out in
    guard let x, let out, let workspace = workspace(params) else { return gslFault }
    return workspace.evaluateJacobian(at: x, into: out)
  }

private let residualAndJacobianCallback:
  @convention(c) (
    UnsafePointer<gsl_vector>?, UnsafeMutableRawPointer?, UnsafeMutablePointer<gsl_vector>?,
    UnsafeMutablePointer<gsl_matrix>?
  ) -> Int32 = { x, params, out, jacobianOut in
    guard let x, let out, let jacobianOut, let workspace = workspace(params) else {
      return gslFault
    }
    return workspace.evaluateResidualAndJacobian(at: x, into: out, jacobian: jacobianOut)
  }

private let outOfMemory = RootFindingError.stalled(
  iterations: 0, residualNorm: .nan, gslStatus: Int32(GSL_ENOMEM))
private let gslSuccess = Int32(GSL_SUCCESS)
private let gslBadFunction = Int32(GSL_EBADFUNC)
private let gslFault = Int32(GSL_EFAULT)
