import CGSL
import Manifolds

/// A high-accuracy reference solution for a ``RigidBodySystem``: the equations of motion
///
///     Ṙ = R Ω̂,    Π̇ = Π × Ω + M(R),    Ω = J⁻¹Π,
///
/// integrated as an ODE on R¹² (R row-major, then Π) with GSL's adaptive Runge–Kutta–Prince–
/// Dormand (8, 9) method `gsl_odeiv2_step_rk8pd`, error control
/// `|err_i| ≤ absoluteTolerance + relativeTolerance |y_i|` (default 1e-12 each).
///
/// Each ``step(_:)`` advances by exactly `stepSize` with as many adaptive sub-steps as needed. The
/// attitude is not projected back onto SO(3): `|RᵀR − I|` drifts at the tolerance, which is what a
/// reference for orders of convergence needs. Not symplectic, not symmetric.
public struct RigidBodyReferenceSolver<System: RigidBodySystem>: SystemIntegrator {
  public let system: System
  public let stepSize: Double
  public let absoluteTolerance: Double
  public let relativeTolerance: Double
  public static var methodTraits: IntegratorTraits {
    IntegratorTraits(
      name: "rk8pd", isExplicit: true, isSymplectic: false, isSymmetric: false, order: 8,
      isAdaptive: true)
  }

  private let inverseInertia: Matrix3

  /// - Throws: ``IntegrationError/invalidStepSize(_:)`` unless `stepSize` is positive and finite;
  ///   ``IntegrationError/invalidParameter(name:value:requirement:)`` for an inertia that is not
  ///   symmetric positive definite or a tolerance that is not positive.
  /// The solver with the default tolerances (1e-12 each).
  public init(system: System, stepSize: Double) throws(IntegrationError) {
    try self.init(
      system: system, stepSize: stepSize, absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
  }

  public init(
    system: System, stepSize: Double, absoluteTolerance: Double, relativeTolerance: Double
  ) throws(IntegrationError) {
    try StepSize.validate(stepSize)
    try RigidBodyInertia.validate(system.inertia)
    guard let inverse = system.inertia.inverse else {
      throw .invalidParameter(
        name: "J", value: system.inertia.determinant, requirement: "det J must be nonzero")
    }
    self.system = system
    self.stepSize = stepSize
    self.absoluteTolerance = try Parameter.positive(absoluteTolerance, "absoluteTolerance")
    self.relativeTolerance = try Parameter.positive(relativeTolerance, "relativeTolerance")
    self.inverseInertia = inverse
  }

  public mutating func step(_ state: inout RigidBodyState) throws(IntegrationError) {
    GSLErrorHandler.disableAbort
    let r = state.attitude.matrix
    let p = state.angularMomentum
    var y = [
      r[0, 0], r[0, 1], r[0, 2], r[1, 0], r[1, 1], r[1, 2], r[2, 0], r[2, 1], r[2, 2],
      p.x, p.y, p.z,
    ]
    let system = self.system
    let field = RigidBodyVectorField(inverseInertia: inverseInertia) {
      system.moment(at: SO3(uncheckedMatrix: $0))
    }
    var ode = gsl_odeiv2_system(
      function: rigidBodyRightHandSide, jacobian: nil, dimension: 12,
      params: Unmanaged.passUnretained(field).toOpaque())
    guard
      let driver = gsl_odeiv2_driver_alloc_y_new(
        &ode, cgsl_odeiv2_rk8pd(), min(stepSize, 1e-3), absoluteTolerance, relativeTolerance)
    else { throw .nonFiniteState(step: nil) }
    defer { gsl_odeiv2_driver_free(driver) }
    // A bounded number of adaptive sub-steps per step: a step of 1e300 would otherwise run
    // for ever.
    gsl_odeiv2_driver_set_nmax(driver, ReferenceSolverLimits.maxSubsteps)
    var t = 0.0
    let status = gsl_odeiv2_driver_apply(driver, &t, stepSize, &y)
    withExtendedLifetime(field) {}
    if status == Int32(GSL_EMAXITER) { throw ReferenceSolverLimits.tooManySubsteps(stepSize) }
    guard status == Int32(GSL_SUCCESS), y.allSatisfy(\.isFinite) else {
      throw .nonFiniteState(step: nil)
    }
    state = RigidBodyState(
      attitude: SO3(uncheckedMatrix: Matrix3(y[0], y[1], y[2], y[3], y[4], y[5], y[6], y[7], y[8])),
      angularMomentum: Vector3(y[9], y[10], y[11]))
  }
}

/// The rigid-body vector field GSL calls back, boxed for its `params` pointer (C callbacks cannot
/// capture the generic system, so its moment is a closure).
private final class RigidBodyVectorField {
  let inverseInertia: Matrix3
  let moment: (Matrix3) -> Vector3

  init(inverseInertia: Matrix3, moment: @escaping (Matrix3) -> Vector3) {
    self.inverseInertia = inverseInertia
    self.moment = moment
  }

  /// `ẏ` for `y = (R row-major, Π)`.
  func evaluate(_ y: UnsafePointer<Double>, into dydt: UnsafeMutablePointer<Double>) {
    let r = Matrix3(y[0], y[1], y[2], y[3], y[4], y[5], y[6], y[7], y[8])
    let p = Vector3(y[9], y[10], y[11])
    let omega = inverseInertia * p
    let rDot = r * SO3.hat(omega)
    let pDot = p.cross(omega) + moment(r)
    for i in 0..<3 {
      for j in 0..<3 { dydt[3 * i + j] = rDot[i, j] }
      dydt[9 + i] = pDot[i]
    }
  }
}

private let rigidBodyRightHandSide:
  @convention(c) (
    Double, UnsafePointer<Double>?, UnsafeMutablePointer<Double>?, UnsafeMutableRawPointer?
  ) -> Int32 = { _, y, dydt, params in
    guard let y, let dydt, let params else { return Int32(GSL_EFAULT) }
    Unmanaged<RigidBodyVectorField>.fromOpaque(params).takeUnretainedValue().evaluate(y, into: dydt)
    return Int32(GSL_SUCCESS)
  }
