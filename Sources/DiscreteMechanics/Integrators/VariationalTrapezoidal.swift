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
  /// `v = (q₁ − q₀)/h` of the last evaluation, and L's first derivatives at q₀ and at q₁.
  @usableFromInline var velocity: [Double]
  @usableFromInline var start: LagrangianDerivatives
  @usableFromInline var end: LagrangianDerivatives

  public static var traits: IntegratorTraits {
    IntegratorTraits(
      name: "trapezoidal", isExplicit: false, isSymplectic: true, isSymmetric: true, order: 2)
  }

  /// The trapezoidal rule: `f_d⁻ = (h/2) F(q₀, v, u)`, `f_d⁺ = (h/2) F(q₁, v, u)`.
  public static var forceQuadrature: ForceQuadrature { .endpoints }

  /// - Throws: ``IntegrationError/invalidStepSize(_:)`` unless `stepSize` is positive and finite;
  ///   ``IntegrationError/invalidParameter(name:value:requirement:)`` for a system of dimension
  ///   below 1.
  public init(system: System, stepSize: Double) throws(IntegrationError) {
    try StepSize.validate(stepSize)
    let n = system.dimension
    guard n >= 1 else {
      throw .invalidParameter(
        name: "dimension", value: Double(n), requirement: "must be at least 1")
    }
    self.system = system
    self.stepSize = stepSize
    velocity = Array(repeating: 0, count: n)
    start = LagrangianDerivatives(dimension: n)
    end = start
  }

  @inlinable
  public mutating func momentumAtStart(
    from q0: [Double], to q1: [Double], into momentum: inout [Double]
  ) {
    evaluate(q0, q1)
    legendreTransform(sign: -1, at: start, into: &momentum)
  }

  @inlinable
  public mutating func momentumAtEnd(
    from q0: [Double], to q1: [Double], into momentum: inout [Double]
  ) {
    evaluate(q0, q1)
    legendreTransform(sign: 1, at: end, into: &momentum)
  }

  @inlinable
  public mutating func momentumAtStartJacobian(
    from q0: [Double], to q1: [Double], into jacobian: inout Matrix
  ) {
    evaluate(q0, q1)
    newtonMatrix(into: &jacobian)
  }

  /// Both from one evaluation of L's derivatives at q₀ and at q₁.
  @inlinable
  public mutating func momentumAtStartAndJacobian(
    from q0: [Double], to q1: [Double], into momentum: inout [Double], jacobian: inout Matrix
  ) {
    evaluate(q0, q1)
    legendreTransform(sign: -1, at: start, into: &momentum)
    newtonMatrix(into: &jacobian)
  }

  /// Sets `v` and evaluates L's first derivatives at q₀ and at q₁.
  @inlinable
  mutating func evaluate(_ q0: [Double], _ q1: [Double]) {
    for i in q0.indices { velocity[i] = (q1[i] - q0[i]) / stepSize }
    system.lagrangianDerivatives(at: q0, velocity: velocity, secondOrder: false, into: &start)
    system.lagrangianDerivatives(at: q1, velocity: velocity, secondOrder: false, into: &end)
  }

  /// `M̄ v + sign (h/2) ∂_qL(q, v)` with q the start or the end point.
  @inlinable
  func legendreTransform(
    sign: Double, at point: LagrangianDerivatives, into momentum: inout [Double]
  ) {
    let halfStep = sign * 0.5 * stepSize
    for i in velocity.indices {
      var mv = 0.0
      for j in velocity.indices { mv += 0.5 * (start.mass[i, j] + end.mass[i, j]) * velocity[j] }
      momentum[i] = mv + halfStep * point.positionDerivative(i, velocity: velocity)
    }
  }

  /// `∂p₀ᵢ/∂q₁ⱼ = M̄ᵢⱼ/h + ½ ((∂M/∂qʲ)(q₁) v)ᵢ − ½ ((∂M/∂qⁱ)(q₀) v)ⱼ`.
  @inlinable
  func newtonMatrix(into jacobian: inout Matrix) {
    let h = stepSize
    for i in velocity.indices {
      for j in velocity.indices {
        jacobian[i, j] =
          0.5 * (start.mass[i, j] + end.mass[i, j]) / h
          + 0.5 * (end.massDerivativeProducts[j, i] - start.massDerivativeProducts[i, j])
      }
    }
  }
}
