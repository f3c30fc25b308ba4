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
/// (``MidpointLegendreTransform``, from L's derivatives at q̄).
///
/// `L_d` is self-adjoint (`L_d(q₀, q₁, h) = −L_d(q₁, q₀, −h)`), so the integrator is symmetric;
/// it is of order 2 (Marsden and West 2001, §2.2.3 and §2.3; trep's `MidpointVI`).
public struct MidpointDiscreteLagrangian<System: LagrangianSystem>: DiscreteLagrangian {
  public let system: System
  public let stepSize: Double
  /// `q̄ = (q₀ + q₁)/2` and `v = (q₁ − q₀)/h` of the last evaluation, and L's derivatives there.
  @usableFromInline var midpoint: [Double]
  @usableFromInline var velocity: [Double]
  @usableFromInline var derivatives: LagrangianDerivatives
  /// The `(q₀, q₁)` of the last evaluation and its order (0 before the first, 1 or 2).
  @usableFromInline var evaluated: (start: [Double], end: [Double], order: Int)

  public static var traits: IntegratorTraits {
    IntegratorTraits(
      name: "midpoint", isExplicit: false, isSymplectic: true, isSymmetric: true, order: 2)
  }

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
    midpoint = Array(repeating: 0, count: n)
    velocity = midpoint
    derivatives = LagrangianDerivatives(dimension: n)
    evaluated = (midpoint, midpoint, 0)
  }

  @inlinable
  public mutating func momentumAtStart(
    from q0: [Double], to q1: [Double], into momentum: inout [Double]
  ) {
    evaluate(q0, q1, secondOrder: false)
    legendreTransform(sign: -1, into: &momentum)
  }

  @inlinable
  public mutating func momentumAtEnd(
    from q0: [Double], to q1: [Double], into momentum: inout [Double]
  ) {
    evaluate(q0, q1, secondOrder: false)
    legendreTransform(sign: 1, into: &momentum)
  }

  @inlinable
  public mutating func momentumAtStartJacobian(
    from q0: [Double], to q1: [Double], into jacobian: inout Matrix
  ) {
    evaluate(q0, q1, secondOrder: true)
    newtonMatrix(into: &jacobian)
  }

  /// Both from one evaluation of L's derivatives at the midpoint.
  @inlinable
  public mutating func momentumAtStartAndJacobian(
    from q0: [Double], to q1: [Double], into momentum: inout [Double], jacobian: inout Matrix
  ) {
    evaluate(q0, q1, secondOrder: true)
    legendreTransform(sign: -1, into: &momentum)
    newtonMatrix(into: &jacobian)
  }

  /// Sets `q̄` and `v` and evaluates L's derivatives there, unless the last evaluation was at
  /// the same `(q₀, q₁)` to at least the same order: the Newton iteration's last evaluation is
  /// at the root `q_{k+1}`, where ``momentumAtEnd(from:to:into:)`` then needs the same terms.
  /// (Arrays written in the Newton iteration are written through spans: one copy-on-write check
  /// each, not one per entry.)
  @inlinable
  mutating func evaluate(_ q0: [Double], _ q1: [Double], secondOrder: Bool) {
    let order = secondOrder ? 2 : 1
    if evaluated.order >= order && evaluated.start == q0 && evaluated.end == q1 { return }
    copyEntries(q0, into: &evaluated.start)
    copyEntries(q1, into: &evaluated.end)
    evaluated.order = order
    let h = stepSize
    do {
      var point = midpoint.mutableSpan
      for i in q0.indices { point[i] = 0.5 * (q0[i] + q1[i]) }
    }
    do {
      var v = velocity.mutableSpan
      for i in q0.indices { v[i] = (q1[i] - q0[i]) / h }
    }
    system.lagrangianDerivatives(
      at: midpoint, velocity: velocity, secondOrder: secondOrder, into: &derivatives)
  }

  /// `M(q̄) v + sign (h/2) ∂_qL(q̄, v)`.
  @inlinable
  func legendreTransform(sign: Double, into momentum: inout [Double]) {
    MidpointLegendreTransform.momentum(
      sign: sign, stepSize: stepSize, velocity: velocity, derivatives: derivatives,
      into: &momentum)
  }

  /// `∂p₀/∂q₁` at q̄.
  @inlinable
  func newtonMatrix(into jacobian: inout Matrix) {
    MidpointLegendreTransform.jacobian(
      sign: -1, stepSize: stepSize, velocity: velocity, derivatives: derivatives,
      into: &jacobian)
  }
}
