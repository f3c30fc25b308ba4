import Manifolds

/// The variational midpoint integrator of a ``LagrangianSystem`` with any mass matrix M(q):
/// the ``ImplicitVariationalIntegrator`` of ``MidpointDiscreteLagrangian``.
public typealias VariationalMidpoint<System: LagrangianSystem> =
  ImplicitVariationalIntegrator<MidpointDiscreteLagrangian<System>>

/// The midpoint discrete Lagrangian `L_d(q₀, q₁) = h L(q̄, v)`, `q̄ = (q₀ + q₁)/2`,
/// `v = (q₁ − q₀)/h`. Its discrete Legendre transforms are
///
///     p₀ = M(q̄) v − (h/2) ∂_qL(q̄, v),    p₁ = M(q̄) v + (h/2) ∂_qL(q̄, v),
///
/// with `(∂_qL)ᵢ = ½ vᵀ (∂M/∂qⁱ) v − ∂V/∂qⁱ`, and the Newton matrix of the first, all at q̄, is
///
///     ∂p₀ᵢ/∂q₁ⱼ = Mᵢⱼ/h + ½ ((∂M/∂qʲ) v)ᵢ − ½ ((∂M/∂qⁱ) v)ⱼ − (h/8) vᵀ (∂²M/∂qⁱ∂qʲ) v
///                 + (h/4) (∇²V)ᵢⱼ
///
/// (the formulas of ``MidpointLegendreTransform``, which this type evaluates from the system's
/// derivatives at q̄).
///
/// `L_d` is self-adjoint (`L_d(q₀, q₁, h) = −L_d(q₁, q₀, −h)`), so the integrator is symmetric;
/// it is of order 2 (Marsden and West 2001, §2.2.3 and §2.3; trep's `MidpointVI`).
public struct MidpointDiscreteLagrangian<System: LagrangianSystem>: DiscreteLagrangian {
  public let system: System
  public let stepSize: Double
  private var buffers: LegendreTransformBuffers

  public static var traits: IntegratorTraits {
    IntegratorTraits(
      name: "midpoint", isExplicit: false, isSymplectic: true, isSymmetric: true, order: 2)
  }

  /// - Throws: ``IntegrationError/invalidStepSize(_:)`` unless `stepSize` is positive and finite;
  ///   ``IntegrationError/invalidParameter(name:value:requirement:)`` for a system of dimension
  ///   below 1.
  public init(system: System, stepSize: Double) throws(IntegrationError) {
    try StepSize.validate(stepSize)
    self.system = system
    self.stepSize = stepSize
    buffers = try LegendreTransformBuffers(dimension: system.dimension)
  }

  public mutating func momentumAtStart(
    from q0: [Double], to q1: [Double], into momentum: inout [Double]
  ) {
    legendreTransform(q0, q1, sign: -1, into: &momentum)
  }

  public mutating func momentumAtEnd(
    from q0: [Double], to q1: [Double], into momentum: inout [Double]
  ) {
    legendreTransform(q0, q1, sign: 1, into: &momentum)
  }

  public mutating func momentumAtStartJacobian(
    from q0: [Double], to q1: [Double], into jacobian: inout Matrix
  ) {
    let n = system.dimension
    setMidpointAndVelocity(q0, q1)
    system.massMatrix(at: buffers.point, into: &buffers.mass)
    system.potentialHessian(at: buffers.point, into: &buffers.potentialHessian)
    system.massMatrixDerivativesTimes(
      buffers.velocity, at: buffers.point, into: &buffers.derivativeProducts,
      massDerivative: &buffers.massDerivative)
    for i in 0..<n {
      for j in 0..<n {
        system.massMatrixSecondDerivative(
          at: buffers.point, coordinates: i, j, into: &buffers.massSecondDerivative)
        buffers.velocityCurvature[i, j] = quadraticForm(
          buffers.massSecondDerivative, buffers.velocity)
      }
    }
    MidpointLegendreTransform.jacobian(
      sign: -1, stepSize: stepSize, dimension: n, mass: buffers.mass.storage,
      derivativeProducts: buffers.derivativeProducts.storage,
      velocityCurvature: buffers.velocityCurvature.storage,
      potentialHessian: buffers.potentialHessian.storage, into: &jacobian.storage)
  }

  /// `M(q̄) v + sign (h/2) ∂_qL(q̄, v)`.
  private mutating func legendreTransform(
    _ q0: [Double], _ q1: [Double], sign: Double, into momentum: inout [Double]
  ) {
    setMidpointAndVelocity(q0, q1)
    system.massMatrix(at: buffers.point, into: &buffers.mass)
    system.massMatrixDerivativesTimes(
      buffers.velocity, at: buffers.point, into: &buffers.derivativeProducts,
      massDerivative: &buffers.massDerivative)
    system.potentialGradient(at: buffers.point, into: &buffers.potentialGradient)
    MidpointLegendreTransform.momentum(
      sign: sign, stepSize: stepSize, dimension: system.dimension, velocity: buffers.velocity,
      mass: buffers.mass.storage, derivativeProducts: buffers.derivativeProducts.storage,
      potentialGradient: buffers.potentialGradient, into: &momentum)
  }

  /// Writes `q̄ = (q₀ + q₁)/2` and `v = (q₁ − q₀)/h` into the buffers.
  private mutating func setMidpointAndVelocity(_ q0: [Double], _ q1: [Double]) {
    for i in q0.indices {
      buffers.point[i] = 0.5 * (q0[i] + q1[i])
      buffers.velocity[i] = (q1[i] - q0[i]) / stepSize
    }
  }
}
