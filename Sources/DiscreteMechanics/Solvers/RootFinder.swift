import CGSL
import Manifolds

/// Why a root finder stopped without a root.
public enum RootFindingError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The iteration cap was reached before the tolerance was met.
  case noConvergence(iterations: Int, residualNorm: Double)
  /// The Jacobian was singular (GSL reported `GSL_ESING`, or Newton's LU solve reported a zero
  /// pivot as `GSL_EDOM`).
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
      return "root finder stalled after \(n) iterations (residual norm \(r), GSL status \(status))"
    case .invalidInitialGuess(let why):
      return "invalid initial guess: \(why)"
    }
  }
}

extension RootFindingError {
  /// The iterations taken before the failure (0 for an invalid initial guess).
  var iterations: Int {
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

/// Solves `F(x) = 0` on R^n with GSL's `gsl_multiroot` solvers.
///
/// With a Jacobian the default is Newton's method (`gsl_multiroot_fdfsolver_newton`), falling
/// back to Powell's hybrid method with the same Jacobian (`hybridsj`) when Newton fails; without
/// one, `gsl_multiroot_fsolver_hybrids` with a finite-difference Jacobian. When both methods
/// fail, the failure of the one that reached the smaller residual is thrown, with the iterations
/// of both. Iteration stops when
/// `max |F| ≤ residualTolerance` and the last correction satisfies
/// `|dx_i| ≤ stepTolerance · (1 + |x_i|)`, or when the corrections stop shrinking while the
/// residual is at the tolerance (Newton has reached round-off).
///
/// GSL's default error handler aborts the process; it is switched off once, on first use.
public struct RootFinder: Sendable {
  /// The residual tolerance `max |F| ≤ residualTolerance`.
  public var residualTolerance: Double
  /// The relative correction tolerance.
  public var stepTolerance: Double
  /// The iteration cap (per method).
  public var maxIterations: Int

  public init(residualTolerance: Double = 1e-12, stepTolerance: Double = 1e-15, maxIterations: Int = 50) {
    self.residualTolerance = residualTolerance
    self.stepTolerance = stepTolerance
    self.maxIterations = maxIterations
  }

  /// A root of `residual` near `initialGuess`.
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
    guard initialGuess.allSatisfy(\.isFinite) else {
      throw .invalidInitialGuess("non-finite entry in \(initialGuess)")
    }
    GSLErrorHandler.disableAbort
    return try withoutActuallyEscaping(residual) { (residual) throws(RootFindingError) in
      guard let jacobian else {
        return try run(.hybrids, initialGuess, Callbacks(residual: residual, jacobian: nil))
      }
      return try withoutActuallyEscaping(jacobian) { (jacobian) throws(RootFindingError) in
        let callbacks = Callbacks(residual: residual, jacobian: jacobian)
        let newtonFailure: RootFindingError
        do throws(RootFindingError) {
          return try run(.newton, initialGuess, callbacks)
        } catch {
          newtonFailure = error
        }
        do throws(RootFindingError) {
          var result = try run(.hybridsj, initialGuess, callbacks)
          result.iterations += newtonFailure.iterations
          return result
        } catch {
          // Report the attempt that came closer (hybridsj on a tie): a fallback that diverged
          // says less than Newton's singular Jacobian, and vice versa.
          let closer = newtonFailure.residualNorm < error.residualNorm ? newtonFailure : error
          throw closer.addingIterations(
            newtonFailure.iterations + error.iterations - closer.iterations)
        }
      }
    }
  }

  enum Method { case newton, hybridsj, hybrids }

  /// The Swift functions GSL calls back, passed through its `params` pointer.
  final class Callbacks {
    let residual: ([Double], inout [Double]) -> Void
    let jacobian: (([Double], inout Matrix) -> Void)?
    var x: [Double] = []
    var f: [Double] = []
    var j = Matrix.zeros(rows: 0, columns: 0)
    var sawNonFinite = false

    init(residual: @escaping ([Double], inout [Double]) -> Void, jacobian: (([Double], inout Matrix) -> Void)?) {
      self.residual = residual
      self.jacobian = jacobian
    }

    func load(_ v: UnsafePointer<gsl_vector>) {
      let n = Int(v.pointee.size)
      if x.count != n {
        x = Array(repeating: 0, count: n)
        f = Array(repeating: 0, count: n)
        j = Matrix.zeros(rows: n, columns: n)
      }
      for i in 0..<n { x[i] = gsl_vector_get(v, i) }
    }

    func evaluateResidual(_ v: UnsafePointer<gsl_vector>, into out: UnsafeMutablePointer<gsl_vector>) -> Int32 {
      load(v)
      residual(x, &f)
      for i in f.indices { gsl_vector_set(out, i, f[i]) }
      guard f.allSatisfy(\.isFinite) else {
        sawNonFinite = true
        return Int32(GSL_EBADFUNC)
      }
      return Int32(GSL_SUCCESS)
    }

    func evaluateJacobian(_ v: UnsafePointer<gsl_vector>, into out: UnsafeMutablePointer<gsl_matrix>) -> Int32 {
      load(v)
      jacobian?(x, &j)
      let n = x.count
      for r in 0..<n {
        for c in 0..<n { gsl_matrix_set(out, r, c, j[r, c]) }
      }
      guard j.storage.allSatisfy(\.isFinite) else {
        sawNonFinite = true
        return Int32(GSL_EBADFUNC)
      }
      return Int32(GSL_SUCCESS)
    }
  }

  private func run(_ method: Method, _ guess: [Double], _ callbacks: Callbacks) throws(RootFindingError)
    -> RootFindingResult
  {
    let n = guess.count
    let params = Unmanaged.passUnretained(callbacks).toOpaque()
    let x0 = gsl_vector_alloc(n)
    defer { gsl_vector_free(x0) }
    for i in 0..<n { gsl_vector_set(x0, i, guess[i]) }
    callbacks.sawNonFinite = false

    let f: @convention(c) (UnsafePointer<gsl_vector>?, UnsafeMutableRawPointer?, UnsafeMutablePointer<gsl_vector>?) -> Int32 = {
      x, params, out in
      Unmanaged<Callbacks>.fromOpaque(params!).takeUnretainedValue().evaluateResidual(x!, into: out!)
    }
    let df: @convention(c) (UnsafePointer<gsl_vector>?, UnsafeMutableRawPointer?, UnsafeMutablePointer<gsl_matrix>?) -> Int32 = {
      x, params, out in
      Unmanaged<Callbacks>.fromOpaque(params!).takeUnretainedValue().evaluateJacobian(x!, into: out!)
    }
    let fdf: @convention(c) (
      UnsafePointer<gsl_vector>?, UnsafeMutableRawPointer?, UnsafeMutablePointer<gsl_vector>?,
      UnsafeMutablePointer<gsl_matrix>?
    ) -> Int32 = { x, params, out, jac in
      let c = Unmanaged<Callbacks>.fromOpaque(params!).takeUnretainedValue()
      let s = c.evaluateResidual(x!, into: out!)
      return s == Int32(GSL_SUCCESS) ? c.evaluateJacobian(x!, into: jac!) : s
    }

    // Uniform access to the two GSL solver kinds.
    let iterate: () -> Int32
    let currentX: () -> UnsafeMutablePointer<gsl_vector>
    let currentF: () -> UnsafeMutablePointer<gsl_vector>
    let currentDx: () -> UnsafeMutablePointer<gsl_vector>
    let cleanup: () -> Void
    var fdfFunction = gsl_multiroot_function_fdf(f: f, df: df, fdf: fdf, n: n, params: params)
    var fFunction = gsl_multiroot_function(f: f, n: n, params: params)
    let setStatus: Int32
    switch method {
    case .newton, .hybridsj:
      let type = method == .newton ? cgsl_multiroot_newton() : cgsl_multiroot_hybridsj()
      guard let solver = gsl_multiroot_fdfsolver_alloc(type, n) else {
        throw .stalled(iterations: 0, residualNorm: .nan, gslStatus: Int32(GSL_ENOMEM))
      }
      setStatus = gsl_multiroot_fdfsolver_set(solver, &fdfFunction, x0)
      iterate = { gsl_multiroot_fdfsolver_iterate(solver) }
      currentX = { solver.pointee.x }
      currentF = { solver.pointee.f }
      currentDx = { solver.pointee.dx }
      cleanup = { gsl_multiroot_fdfsolver_free(solver) }
    case .hybrids:
      guard let solver = gsl_multiroot_fsolver_alloc(cgsl_multiroot_hybrids(), n) else {
        throw .stalled(iterations: 0, residualNorm: .nan, gslStatus: Int32(GSL_ENOMEM))
      }
      setStatus = gsl_multiroot_fsolver_set(solver, &fFunction, x0)
      iterate = { gsl_multiroot_fsolver_iterate(solver) }
      currentX = { solver.pointee.x }
      currentF = { solver.pointee.f }
      currentDx = { solver.pointee.dx }
      cleanup = { gsl_multiroot_fsolver_free(solver) }
    }
    defer { cleanup() }

    func residualNorm() -> Double {
      let v = currentF()
      var m = 0.0
      for i in 0..<n { m = max(m, abs(gsl_vector_get(v, i))) }
      return m
    }
    if callbacks.sawNonFinite || setStatus != Int32(GSL_SUCCESS) {
      throw callbacks.sawNonFinite
        ? .nonFiniteResidual(iterations: 0)
        : .stalled(iterations: 0, residualNorm: .nan, gslStatus: setStatus)
    }
    if residualNorm() == 0 {
      return RootFindingResult(root: guess, iterations: 0, residualNorm: 0)
    }
    var previousCorrection = Double.infinity
    let iterationCap = max(1, maxIterations)
    for iteration in 1...iterationCap {
      let status = iterate()
      if callbacks.sawNonFinite { throw .nonFiniteResidual(iterations: iteration) }
      let r = residualNorm()
      guard r.isFinite else { throw .nonFiniteResidual(iterations: iteration) }
      // Newton's LU solve reports a singular Jacobian as GSL_EDOM ("matrix is singular").
      if status == Int32(GSL_ESING) || (method == .newton && status == Int32(GSL_EDOM)) {
        throw .singularJacobian(iterations: iteration, residualNorm: r)
      }
      if status != Int32(GSL_SUCCESS) {
        throw .stalled(iterations: iteration, residualNorm: r, gslStatus: status)
      }
      let x = currentX()
      let dx = currentDx()
      var correction = 0.0
      var small = true
      for i in 0..<n {
        let d = abs(gsl_vector_get(dx, i))
        correction = max(correction, d)
        if d > stepTolerance * (1 + abs(gsl_vector_get(x, i))) { small = false }
      }
      let converged = r <= residualTolerance && (small || correction >= previousCorrection)
      if converged || r == 0 {
        return RootFindingResult(
          root: (0..<n).map { gsl_vector_get(x, $0) }, iterations: iteration, residualNorm: r)
      }
      previousCorrection = correction
    }
    throw .noConvergence(iterations: iterationCap, residualNorm: residualNorm())
  }
}

/// Switches GSL's abort-on-error handler off, once per process; errors come back as status codes.
enum GSLErrorHandler {
  static let disableAbort: Void = { _ = gsl_set_error_handler_off() }()
}
