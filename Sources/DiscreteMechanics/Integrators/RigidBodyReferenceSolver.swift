import Manifolds

/// A high-accuracy reference solution for a ``RigidBodySystem``: the equations of motion
///
///     Ṙ = R Ω̂,    Π̇ = Π × Ω + M(R) + τ(R, Ω, u),    Ω = J⁻¹Π,
///
/// with the torque `τ = B(R)u − D(R)Ω` of ``forces`` (none by default), u held over each step,
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
  public var absoluteTolerance: Double { driver.absoluteTolerance }
  public var relativeTolerance: Double { driver.relativeTolerance }
  public static var methodTraits: IntegratorTraits {
    IntegratorTraits(
      name: "rk8pd", isExplicit: true, isSymplectic: false, isSymmetric: false, order: 8,
      isAdaptive: true)
  }

  private let driver: RK8PDDriver
  private let inverseInertia: Matrix3
  /// The torques and the held input, if any.
  private var forced: (forces: any RigidBodyTorque, input: [Double])?

  /// The solver with the default tolerances (1e-12 each).
  public init(system: System, stepSize: Double) throws(IntegrationError) {
    try self.init(
      system: system, stepSize: stepSize, absoluteTolerance: 1e-12, relativeTolerance: 1e-12)
  }

  /// - Throws: ``IntegrationError/invalidStepSize(_:)`` unless `stepSize` is positive and finite;
  ///   ``IntegrationError/invalidParameter(name:value:requirement:)`` for an inertia that is not
  ///   symmetric positive definite or a tolerance that is not positive.
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
    self.driver = try RK8PDDriver(
      absoluteTolerance: absoluteTolerance, relativeTolerance: relativeTolerance)
    self.inverseInertia = inverse
  }

  /// - Throws: ``IntegrationError/stepTooLarge(step:detail:)`` when the step needs more than
  ///   100 000 sub-steps; ``IntegrationError/nonFiniteState(step:)`` when GSL fails or the
  ///   state is not finite.
  public mutating func step(_ state: inout RigidBodyState) throws(IntegrationError) {
    let r = state.attitude.matrix
    let p = state.angularMomentum
    var y = [
      r[0, 0], r[0, 1], r[0, 2], r[1, 0], r[1, 1], r[1, 2], r[2, 0], r[2, 1], r[2, 2],
      p.x, p.y, p.z,
    ]
    let system = self.system
    let inverseInertia = self.inverseInertia
    let forced = self.forced
    // ẏ for y = (R row-major, Π): Ṙ = R Ω̂, Π̇ = Π × Ω + M(R) + τ, Ω = J⁻¹Π.
    try driver.advance(&y, by: stepSize) { y, dydt in
      let r = Matrix3(y[0], y[1], y[2], y[3], y[4], y[5], y[6], y[7], y[8])
      let p = Vector3(y[9], y[10], y[11])
      let omega = inverseInertia * p
      let rDot = r * SO3.hat(omega)
      var pDot = p.cross(omega) + system.moment(at: SO3(uncheckedMatrix: r))
      if let (forces, u) = forced {
        pDot += forces.terms(at: SO3(uncheckedMatrix: r), input: u).torque(angularVelocity: omega)
      }
      for i in 0..<3 {
        for j in 0..<3 { dydt[3 * i + j] = rDot[i, j] }
        dydt[9 + i] = pDot[i]
      }
    }
    state = RigidBodyState(
      attitude: SO3(uncheckedMatrix: Matrix3(y[0], y[1], y[2], y[3], y[4], y[5], y[6], y[7], y[8])),
      angularMomentum: Vector3(y[9], y[10], y[11]))
  }
}

extension RigidBodyReferenceSolver: ForcedIntegrator {
  /// The solver with the default tolerances and the torques `forces`.
  /// - Throws: as ``init(system:stepSize:)``.
  public init(system: System, stepSize: Double, forces: any RigidBodyTorque)
    throws(IntegrationError)
  {
    try self.init(
      system: system, stepSize: stepSize, absoluteTolerance: 1e-12, relativeTolerance: 1e-12,
      forces: forces)
  }

  /// The solver with the given tolerances and the torques `forces`.
  /// - Throws: as ``init(system:stepSize:absoluteTolerance:relativeTolerance:)``.
  public init(
    system: System, stepSize: Double, absoluteTolerance: Double, relativeTolerance: Double,
    forces: any RigidBodyTorque
  ) throws(IntegrationError) {
    try self.init(
      system: system, stepSize: stepSize, absoluteTolerance: absoluteTolerance,
      relativeTolerance: relativeTolerance)
    forced = (forces, Array(repeating: 0, count: forces.inputCount))
  }

  /// The non-conservative torques, if any.
  public var forces: (any RigidBodyTorque)? { forced?.forces }
  public var inputCount: Int { forced?.forces.inputCount ?? 0 }
  public var input: [Double] { forced?.input ?? [] }

  public mutating func holdInput(_ u: [Double]) throws(IntegrationError) {
    try IntegrationError.check(u, name: "input u", dimension: inputCount)
    if forced != nil { forced?.input = u }
  }
}
