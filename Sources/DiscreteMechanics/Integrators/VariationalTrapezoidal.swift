import Manifolds

/// The variational trapezoidal integrator of a ``LagrangianSystem`` with any mass matrix M(q):
/// the ``ImplicitVariationalIntegrator`` of ``TrapezoidalDiscreteLagrangian``. For a constant
/// mass matrix it is the Störmer–Verlet method (``StormerVerlet`` steps it explicitly).
public typealias VariationalTrapezoidal<System: LagrangianSystem> =
  ImplicitVariationalIntegrator<TrapezoidalDiscreteLagrangian<System>>

/// The trapezoidal discrete Lagrangian `L_d(q₀, q₁) = (h/2) [L(q₀, v) + L(q₁, v)]`,
/// `v = (q₁ − q₀)/h`. With `M̄ = ½ (M(q₀) + M(q₁))` its discrete Legendre transforms are
///
///     p₀ = M̄ v − (h/2) ∂_qL(q₀, v),    p₁ = M̄ v + (h/2) ∂_qL(q₁, v),
///
/// with `(∂_qL)ᵢ = ½ vᵀ (∂M/∂qⁱ) v − ∂V/∂qⁱ`, and the Newton matrix of the first is
///
///     ∂p₀ᵢ/∂q₁ⱼ = M̄ᵢⱼ/h + ½ ((∂M/∂qʲ)(q₁) v)ᵢ − ½ ((∂M/∂qⁱ)(q₀) v)ⱼ
///
/// (no second derivatives: `∇V(q₀)` does not depend on q₁). `L_d` is self-adjoint, so the
/// integrator is symmetric; it is of order 2 (Marsden and West 2001, §2.2.3 and §2.3).
public struct TrapezoidalDiscreteLagrangian<System: LagrangianSystem>: DiscreteLagrangian {
  public let system: System
  public let stepSize: Double
  private var buffers: LegendreTransformBuffers

  public static var traits: IntegratorTraits {
    IntegratorTraits(
      name: "trapezoidal", isExplicit: false, isSymplectic: true, isSymmetric: true, order: 2)
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
    legendreTransform(q0, q1, at: q0, sign: -1, into: &momentum)
  }

  public mutating func momentumAtEnd(
    from q0: [Double], to q1: [Double], into momentum: inout [Double]
  ) {
    legendreTransform(q0, q1, at: q1, sign: 1, into: &momentum)
  }

  public mutating func momentumAtStartJacobian(
    from q0: [Double], to q1: [Double], into jacobian: inout Matrix
  ) {
    let h = stepSize
    setVelocity(q0, q1)
    system.massMatrix(at: q0, into: &buffers.mass)
    system.massMatrix(at: q1, into: &buffers.massAtEnd)
    system.massMatrixDerivativesTimes(
      buffers.velocity, at: q0, into: &buffers.derivativeProducts,
      massDerivative: &buffers.massDerivative)
    system.massMatrixDerivativesTimes(
      buffers.velocity, at: q1, into: &buffers.derivativeProductsAtEnd,
      massDerivative: &buffers.massDerivative)
    for i in 0..<system.dimension {
      for j in 0..<system.dimension {
        jacobian[i, j] =
          0.5 * (buffers.mass[i, j] + buffers.massAtEnd[i, j]) / h
          + 0.5 * (buffers.derivativeProductsAtEnd[j, i] - buffers.derivativeProducts[i, j])
      }
    }
  }

  /// `M̄ v + sign (h/2) ∂_qL(q, v)` with q the start or end point.
  private mutating func legendreTransform(
    _ q0: [Double], _ q1: [Double], at q: [Double], sign: Double, into momentum: inout [Double]
  ) {
    setVelocity(q0, q1)
    system.massMatrix(at: q0, into: &buffers.mass)
    system.massMatrix(at: q1, into: &buffers.massAtEnd)
    system.lagrangianGradient(
      at: q, velocity: buffers.velocity, into: &momentum, massDerivative: &buffers.massDerivative)
    let halfStep = sign * 0.5 * stepSize
    for i in 0..<system.dimension {
      var mv = 0.0
      for j in 0..<system.dimension {
        mv += 0.5 * (buffers.mass[i, j] + buffers.massAtEnd[i, j]) * buffers.velocity[j]
      }
      momentum[i] = mv + halfStep * momentum[i]
    }
  }

  /// Writes `v = (q₁ − q₀)/h` into the buffers.
  private mutating func setVelocity(_ q0: [Double], _ q1: [Double]) {
    for i in q0.indices { buffers.velocity[i] = (q1[i] - q0[i]) / stepSize }
  }
}
