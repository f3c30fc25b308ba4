import CGSL

/// Minimises a function of a few variables without derivatives: GSL's Nelder–Mead simplex
/// method (`gsl_multimin_fminimizer_nmsimplex2`; Nelder and Mead, *A simplex method for function
/// minimization*, Computer Journal 7, 1965), for small, cheap problems whose gradient is not at
/// hand, such as the few numbers of a latent initial state.
///
/// The simplex starts at `start` and `start + initialStep eᵢ`, i = 1…n, and moves by
/// reflections, expansions and contractions until its size (the mean distance of its vertices
/// from their centre, `gsl_multimin_fminimizer_size`) falls below ``sizeTolerance``, or for at
/// most ``maxIterations`` iterations. `f` may return a non-finite value (outside the domain,
/// say) anywhere but at the starting simplex: the method then contracts away from that point.
public struct SimplexMinimizer: Sendable {
  /// The edge of the starting simplex along each coordinate axis.
  public var initialStep: Double
  /// The simplex size at which the minimum is accepted.
  public var sizeTolerance: Double
  /// The most iterations; the best vertex so far is returned after them.
  public var maxIterations: Int

  /// - Throws: ``MinimizationError/invalidSetting(name:value:)`` unless `initialStep` and
  ///   `sizeTolerance` are positive and finite and `maxIterations ≥ 1`.
  public init(initialStep: Double, sizeTolerance: Double = 1e-6, maxIterations: Int = 500)
    throws(MinimizationError)
  {
    for (name, value) in [("initialStep", initialStep), ("sizeTolerance", sizeTolerance)]
    where !(value.isFinite && value > 0) {
      throw .invalidSetting(name: name, value: "\(value)")
    }
    guard maxIterations >= 1 else {
      throw .invalidSetting(name: "maxIterations", value: "\(maxIterations)")
    }
    self.initialStep = initialStep
    self.sizeTolerance = sizeTolerance
    self.maxIterations = maxIterations
  }

  /// The lowest point of `f` found from `start`.
  /// - Throws: ``MinimizationError/invalidStart(detail:)`` for an empty or non-finite start, or a
  ///   non-finite value of `f` at a vertex of the starting simplex;
  ///   ``MinimizationError/gslFailure(status:)`` when GSL cannot allocate its solver or a
  ///   contraction fails.
  public func minimize(_ f: ([Double]) -> Double, from start: [Double])
    throws(MinimizationError) -> SimplexMinimum
  {
    let n = start.count
    guard n >= 1, start.allSatisfy(\.isFinite) else {
      throw .invalidStart(detail: "the start \(start) must have finite entries")
    }
    GSLErrorHandler.disableAbort
    guard let x = gsl_vector_alloc(n), let steps = gsl_vector_alloc(n),
      let solver = gsl_multimin_fminimizer_alloc(cgsl_multimin_nmsimplex2(), n)
    else { throw .gslFailure(status: Int32(GSL_ENOMEM)) }
    defer {
      gsl_vector_free(x)
      gsl_vector_free(steps)
      gsl_multimin_fminimizer_free(solver)
    }
    for i in 0..<n {
      gsl_vector_set(x, i, start[i])
      gsl_vector_set(steps, i, initialStep)
    }
    return try withoutActuallyEscaping(f) { (f) throws(MinimizationError) -> SimplexMinimum in
      let context = MinimizationContext(f, dimension: n)
      var function = gsl_multimin_function(
        f: objective, n: n, params: Unmanaged.passUnretained(context).toOpaque())
      defer { withExtendedLifetime(context) {} }
      let setStatus = gsl_multimin_fminimizer_set(solver, &function, x, steps)
      guard setStatus == GSL_SUCCESS else {
        throw setStatus == GSL_EBADFUNC
          ? .invalidStart(
            detail:
              "the function is not finite at a vertex of the starting simplex (edge \(initialStep)) around \(start)"
          ) : .gslFailure(status: setStatus)
      }
      var iterations = 0
      var converged = false
      while iterations < maxIterations, !converged {
        iterations += 1
        let status = gsl_multimin_fminimizer_iterate(solver)
        guard status == GSL_SUCCESS else { throw .gslFailure(status: status) }
        converged =
          gsl_multimin_test_size(gsl_multimin_fminimizer_size(solver), sizeTolerance)
          == GSL_SUCCESS
      }
      return SimplexMinimum(
        x: (0..<n).map { gsl_vector_get(solver.pointee.x, $0) }, value: solver.pointee.fval,
        iterations: iterations, converged: converged)
    }
  }
}

/// The result of ``SimplexMinimizer/minimize(_:from:)``.
public struct SimplexMinimum: Equatable, Sendable {
  /// The best vertex found and its value.
  public var x: [Double]
  public var value: Double
  public var iterations: Int
  /// Whether the simplex shrank below the size tolerance (otherwise the iterations ran out).
  public var converged: Bool
}

/// Why ``SimplexMinimizer`` could not minimise.
public enum MinimizationError: Error, Equatable, Sendable, CustomStringConvertible {
  /// A setting of the minimiser that is out of range, by name.
  case invalidSetting(name: String, value: String)
  /// A start that is empty or not finite, or where the function is not finite.
  case invalidStart(detail: String)
  /// A GSL status code (`GSL_ENOMEM`, or `GSL_EFAILED` from a failed contraction).
  case gslFailure(status: Int32)

  public var description: String {
    switch self {
    case .invalidSetting(let name, let value):
      "the simplex minimiser's \(name) \(value) must be positive (and finite)"
    case .invalidStart(let detail): "cannot start the simplex minimiser: \(detail)"
    case .gslFailure(let status): "GSL's simplex minimiser failed with status \(status)"
    }
  }
}

/// The function being minimised and the buffer its argument is copied to.
private final class MinimizationContext {
  let f: ([Double]) -> Double
  var argument: [Double]

  init(_ f: @escaping ([Double]) -> Double, dimension: Int) {
    self.f = f
    argument = Array(repeating: 0, count: dimension)
  }
}

/// `f(x)` for `gsl_multimin_function`.
private typealias ObjectiveCallback =
  @convention(c) (UnsafePointer<gsl_vector>?, UnsafeMutableRawPointer?) -> Double

private let objective: ObjectiveCallback = { x, params in
  guard let x, let params else { return .nan }
  let context = Unmanaged<MinimizationContext>.fromOpaque(params).takeUnretainedValue()
  for i in context.argument.indices { context.argument[i] = gsl_vector_get(x, i) }
  return context.f(context.argument)
}
