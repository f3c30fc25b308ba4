import CGSL

/// GSL's adaptive Runge–Kutta–Prince–Dormand (8, 9) method (`gsl_odeiv2_step_rk8pd` under a
/// `gsl_odeiv2_driver`) for `ẏ = f(y)` on R^n: the one wrapper of the GSL driver behind both
/// reference solvers (``ReferenceSolver``, ``RigidBodyReferenceSolver``), which supply only their
/// vector field and how their state packs into y.
///
/// ``advance(_:by:field:)`` takes as many adaptive sub-steps as the error control
/// `|err_i| ≤ absoluteTolerance + relativeTolerance |y_i|` needs, from an initial sub-step of
/// `min(duration, 1e-3)`, with a fresh driver each call; at most ``maxSubsteps`` of them, so
/// that a step of 1e300 fails instead of running for ever.
struct RK8PDDriver: Sendable {
  let absoluteTolerance: Double
  let relativeTolerance: Double

  /// Adaptive sub-steps allowed within one call (GSL's driver fails with `GSL_EMAXITER` beyond).
  static let maxSubsteps: UInt = 100_000

  /// `f` evaluated at `y`, written into `dydt` (GSL's buffers, both of length n); a thrown
  /// error stops the integration and is rethrown by ``advance(_:by:field:)``.
  typealias VectorField = (
    _ y: UnsafePointer<Double>, _ dydt: UnsafeMutablePointer<Double>
  ) throws(IntegrationError) -> Void

  /// - Throws: ``IntegrationError/invalidParameter(name:value:requirement:)`` unless both
  ///   tolerances are positive and finite.
  init(absoluteTolerance: Double, relativeTolerance: Double) throws(IntegrationError) {
    self.absoluteTolerance = try Parameter.positive(absoluteTolerance, "absoluteTolerance")
    self.relativeTolerance = try Parameter.positive(relativeTolerance, "relativeTolerance")
  }

  /// Advances `y` by `duration` along `field`.
  ///
  /// - Throws: ``IntegrationError/stepTooLarge(step:detail:)`` when more than ``maxSubsteps``
  ///   sub-steps are needed; the vector field's own error; otherwise
  ///   ``IntegrationError/nonFiniteState(step:)`` when GSL fails or the result is not finite.
  func advance(_ y: inout [Double], by duration: Double, field: @escaping VectorField)
    throws(IntegrationError)
  {
    GSLErrorHandler.disableAbort
    let context = ODEContext(field)
    var system = gsl_odeiv2_system(
      function: odeRightHandSide, jacobian: nil, dimension: y.count,
      params: Unmanaged.passUnretained(context).toOpaque())
    guard
      let driver = gsl_odeiv2_driver_alloc_y_new(
        &system, cgsl_odeiv2_rk8pd(), min(duration, 1e-3), absoluteTolerance, relativeTolerance)
    else { throw .nonFiniteState(step: nil) }
    defer { gsl_odeiv2_driver_free(driver) }
    gsl_odeiv2_driver_set_nmax(driver, Self.maxSubsteps)
    var t = 0.0
    let status = gsl_odeiv2_driver_apply(driver, &t, duration, &y)
    withExtendedLifetime(context) {}
    if status == Int32(GSL_EMAXITER) {
      throw .stepTooLarge(
        step: nil,
        detail:
          "the step of \(duration) needs more than \(Self.maxSubsteps) adaptive rk8pd sub-steps (GSL_EMAXITER); use a smaller step size"
      )
    }
    if let failure = context.failure { throw failure }
    guard status == Int32(GSL_SUCCESS), y.allSatisfy(\.isFinite) else {
      throw .nonFiniteState(step: nil)
    }
  }
}

/// The vector field GSL calls back, boxed for its `params` pointer (a C callback cannot capture
/// context), and the first error it threw.
private final class ODEContext {
  let field: RK8PDDriver.VectorField
  var failure: IntegrationError?

  init(_ field: @escaping RK8PDDriver.VectorField) { self.field = field }
}

/// `dy/dt = f(y)` for `gsl_odeiv2_system`; a failure is kept in the context and reported to GSL
/// as `GSL_EBADFUNC`, which stops the driver.
private let odeRightHandSide:
  @convention(c) (
    Double, UnsafePointer<Double>?, UnsafeMutablePointer<Double>?, UnsafeMutableRawPointer?
  ) -> Int32 = { _, y, dydt, params in
    guard let y, let dydt, let params else { return Int32(GSL_EFAULT) }
    let context = Unmanaged<ODEContext>.fromOpaque(params).takeUnretainedValue()
    do throws(IntegrationError) {
      try context.field(y, dydt)
      return Int32(GSL_SUCCESS)
    } catch {
      context.failure = error
      return Int32(GSL_EBADFUNC)
    }
  }
