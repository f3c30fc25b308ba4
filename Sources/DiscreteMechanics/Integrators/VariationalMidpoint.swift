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
///                 + (h/4) (∇²V)ᵢⱼ.
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
    let h = stepSize
    setMidpointAndVelocity(q0, q1)
    system.massMatrix(at: buffers.point, into: &buffers.mass)
    system.potentialHessian(at: buffers.point, into: &buffers.potentialHessian)
    system.massMatrixDerivativesTimes(
      buffers.velocity, at: buffers.point, into: &buffers.derivativeProducts,
      massDerivative: &buffers.massDerivative)
    for i in 0..<system.dimension {
      for j in 0..<system.dimension {
        system.massMatrixSecondDerivative(
          at: buffers.point, coordinates: i, j, into: &buffers.massSecondDerivative)
        let u = buffers.derivativeProducts
        jacobian[i, j] =
          buffers.mass[i, j] / h + 0.5 * (u[j, i] - u[i, j])
          - 0.125 * h * quadraticForm(buffers.massSecondDerivative, buffers.velocity)
          + 0.25 * h * buffers.potentialHessian[i, j]
      }
    }
  }

  /// `M(q̄) v + sign (h/2) ∂_qL(q̄, v)`.
  private mutating func legendreTransform(
    _ q0: [Double], _ q1: [Double], sign: Double, into momentum: inout [Double]
  ) {
    setMidpointAndVelocity(q0, q1)
    system.massMatrix(at: buffers.point, into: &buffers.mass)
    system.lagrangianGradient(
      at: buffers.point, velocity: buffers.velocity, into: &momentum,
      massDerivative: &buffers.massDerivative)
    let halfStep = sign * 0.5 * stepSize
    for i in 0..<system.dimension {
      var mv = 0.0
      for j in 0..<system.dimension { mv += buffers.mass[i, j] * buffers.velocity[j] }
      momentum[i] = mv + halfStep * momentum[i]
    }
  }

  /// Writes `q̄ = (q₀ + q₁)/2` and `v = (q₁ − q₀)/h` into the buffers.
  private mutating func setMidpointAndVelocity(_ q0: [Double], _ q1: [Double]) {
    for i in q0.indices {
      buffers.point[i] = 0.5 * (q0[i] + q1[i])
      buffers.velocity[i] = (q1[i] - q0[i]) / stepSize
    }
  }
}
