import CGSL
import Manifolds

/// GSL's `gsl_multiroot_fdfsolver` on the 3-vector ``SO3LGVIEquation``: `newton` with the
/// analytic Jacobian, then `hybridsj` (Powell's hybrid method with the same Jacobian) if Newton
/// fails. Both solvers, the start vector and the function record are allocated once, in the
/// initialiser, and freed in `deinit`; the C callbacks read the equation through the `params`
/// pointer and work on stack values, so a solve allocates nothing.
///
/// The stopping rule is the one of ``SO3LGVIEquation/newton(from:maxIterations:)``: correction
/// below `1e-15 max(1, |f|∞)` or no longer shrinking, with the residual at most
/// ``SO3LGVIEquation/acceptableResidual``.
final class SO3LGVIMultirootSolver {
  var equation: SO3LGVIEquation
  private let newton: UnsafeMutablePointer<gsl_multiroot_fdfsolver>
  private let hybrid: UnsafeMutablePointer<gsl_multiroot_fdfsolver>
  private let start: UnsafeMutablePointer<gsl_vector>
  private let function: UnsafeMutablePointer<gsl_multiroot_function_fdf>

  /// - Throws: ``RootFindingError/stalled(iterations:residualNorm:gslStatus:)`` with `GSL_ENOMEM`
  ///   when GSL cannot allocate the solvers.
  init(equation: SO3LGVIEquation) throws(RootFindingError) {
    GSLErrorHandler.disableAbort
    let outOfMemory = RootFindingError.stalled(
      iterations: 0, residualNorm: .nan, gslStatus: Int32(GSL_ENOMEM))
    guard let newton = gsl_multiroot_fdfsolver_alloc(cgsl_multiroot_newton(), 3) else {
      throw outOfMemory
    }
    guard let hybrid = gsl_multiroot_fdfsolver_alloc(cgsl_multiroot_hybridsj(), 3) else {
      gsl_multiroot_fdfsolver_free(newton)
      throw outOfMemory
    }
    guard let start = gsl_vector_alloc(3) else {
      gsl_multiroot_fdfsolver_free(newton)
      gsl_multiroot_fdfsolver_free(hybrid)
      throw outOfMemory
    }
    self.equation = equation
    self.newton = newton
    self.hybrid = hybrid
    self.start = start
    function = .allocate(capacity: 1)
    function.initialize(
      to: gsl_multiroot_function_fdf(
        f: lgviResidual, df: lgviJacobian, fdf: lgviResidualAndJacobian, n: 3, params: nil))
    function.pointee.params = Unmanaged.passUnretained(self).toOpaque()
  }

  deinit {
    gsl_multiroot_fdfsolver_free(newton)
    gsl_multiroot_fdfsolver_free(hybrid)
    gsl_vector_free(start)
    function.deallocate()
  }

  /// A root from `guess`: Newton first, `hybridsj` if Newton fails; the iterations of both are
  /// counted.
  func solve(from guess: Vector3, maxIterations: Int) -> SO3LGVISolution {
    let first = run(newton, from: guess, maxIterations: maxIterations)
    if first.converged { return first }
    var second = run(hybrid, from: guess, maxIterations: maxIterations)
    second.iterations += first.iterations
    return second
  }

  private func run(
    _ solver: UnsafeMutablePointer<gsl_multiroot_fdfsolver>, from guess: Vector3,
    maxIterations: Int
  ) -> SO3LGVISolution {
    for i in 0..<3 { gsl_vector_set(start, i, guess[i]) }
    var failed = SO3LGVISolution(root: guess, iterations: 0, residualNorm: .nan, converged: false)
    guard gsl_multiroot_fdfsolver_set(solver, function, start) == gslSuccess else { return failed }
    var previousCorrection = Double.infinity
    for iteration in 1...max(1, maxIterations) {
      let status = gsl_multiroot_fdfsolver_iterate(solver)
      let root = Vector3(gslVector: solver.pointee.x)
      let residualNorm = Vector3(gslVector: solver.pointee.f).maxAbs
      failed = SO3LGVISolution(
        root: root, iterations: iteration, residualNorm: residualNorm, converged: false)
      guard status == gslSuccess, residualNorm.isFinite else { return failed }
      let size = Vector3(gslVector: solver.pointee.dx).maxAbs
      if residualNorm <= equation.acceptableResidual
        && (size <= 1e-15 * max(1, root.maxAbs) || size >= previousCorrection)
      {
        return SO3LGVISolution(
          root: root, iterations: iteration, residualNorm: residualNorm, converged: true)
      }
      previousCorrection = size
    }
    return failed
  }
}

extension SIMD3 where Scalar == Double {
  /// The first three entries of a GSL vector.
  fileprivate init(gslVector v: UnsafePointer<gsl_vector>) {
    self.init(gsl_vector_get(v, 0), gsl_vector_get(v, 1), gsl_vector_get(v, 2))
  }
}

/// The equation behind a callback's `params` pointer.
private func equation(_ params: UnsafeMutableRawPointer?) -> SO3LGVIEquation? {
  guard let params else { return nil }
  return Unmanaged<SO3LGVIMultirootSolver>.fromOpaque(params).takeUnretainedValue().equation
}

private func store(_ v: Vector3, into out: UnsafeMutablePointer<gsl_vector>) -> Int32 {
  for i in 0..<3 { gsl_vector_set(out, i, v[i]) }
  return v.maxAbs.isFinite ? gslSuccess : gslBadFunction
}

private func store(_ m: Matrix3, into out: UnsafeMutablePointer<gsl_matrix>) -> Int32 {
  for i in 0..<3 {
    for j in 0..<3 { gsl_matrix_set(out, i, j, m[i, j]) }
  }
  return m.isFinite ? gslSuccess : gslBadFunction
}

private let lgviResidual:
  @convention(c) (
    UnsafePointer<gsl_vector>?, UnsafeMutableRawPointer?, UnsafeMutablePointer<gsl_vector>?
  ) -> Int32 = { x, params, out in
    guard let x, let out, let equation = equation(params) else { return gslFault }
    return store(equation.residual(at: Vector3(gslVector: x)), into: out)
  }

private let lgviJacobian:
  @convention(c) (
    UnsafePointer<gsl_vector>?, UnsafeMutableRawPointer?, UnsafeMutablePointer<gsl_matrix>?
  ) -> Int32 = { x, params, out in
    guard let x, let out, let equation = equation(params) else { return gslFault }
    return store(equation.residualAndJacobian(at: Vector3(gslVector: x)).jacobian, into: out)
  }

private let lgviResidualAndJacobian:
  @convention(c) (
    UnsafePointer<gsl_vector>?, UnsafeMutableRawPointer?, UnsafeMutablePointer<gsl_vector>?,
    UnsafeMutablePointer<gsl_matrix>?
  ) -> Int32 = { x, params, out, jacobianOut in
    guard let x, let out, let jacobianOut, let equation = equation(params) else {
      return gslFault
    }
    let (g, dg) = equation.residualAndJacobian(at: Vector3(gslVector: x))
    let status = store(g, into: out)
    return status == gslSuccess ? store(dg, into: jacobianOut) : status
  }

private let gslSuccess = Int32(GSL_SUCCESS)
private let gslBadFunction = Int32(GSL_EBADFUNC)
private let gslFault = Int32(GSL_EFAULT)
