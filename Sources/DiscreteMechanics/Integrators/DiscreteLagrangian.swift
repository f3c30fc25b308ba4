import Manifolds

/// A discrete Lagrangian `L_d(q₀, q₁) ≈ ∫₀ʰ L(q(t), q̇(t)) dt` of a ``LagrangianSystem`` with a
/// fixed step h, given through its discrete Legendre transforms (Marsden and West, *Discrete
/// mechanics and variational integrators*, Acta Numerica 2001, §1.5):
///
///     p₀ = −D₁L_d(q₀, q₁),    p₁ = D₂L_d(q₀, q₁).
///
/// The discrete Euler–Lagrange equations in position–momentum form are exactly these two: given
/// `(q_k, p_k)`, solve the first for `q_{k+1}` and evaluate the second for `p_{k+1}`
/// (``ImplicitVariationalIntegrator``). The one-step map is symplectic for every `L_d`, and the
/// momentum map of every symmetry of `L_d` is conserved (discrete Noether theorem, ibid. §3.4).
///
/// The three evaluations are `mutating` only because a conforming type keeps preallocated
/// buffers for its intermediate quantities (M, ∂M/∂qⁱ, ∇²V, …), so that the Newton iteration
/// of a step allocates nothing; they do not change the discrete Lagrangian.
public protocol DiscreteLagrangian: Sendable {
  /// The continuous system.
  associatedtype System: LagrangianSystem
  /// The traits of the variational integrator of this discrete Lagrangian.
  static var traits: IntegratorTraits { get }
  /// The continuous system.
  var system: System { get }
  /// The step size h.
  var stepSize: Double { get }
  /// - Throws: ``IntegrationError/invalidStepSize(_:)`` unless `stepSize` is positive and finite.
  init(system: System, stepSize: Double) throws(IntegrationError)
  /// Writes `−D₁L_d(q₀, q₁)` (the momentum at the start of the step) into `momentum`.
  mutating func momentumAtStart(from q0: [Double], to q1: [Double], into momentum: inout [Double])
  /// Writes `D₂L_d(q₀, q₁)` (the momentum at the end of the step) into `momentum`.
  mutating func momentumAtEnd(from q0: [Double], to q1: [Double], into momentum: inout [Double])
  /// Writes the n×n Jacobian `∂(−D₁L_d)/∂q₁` into `jacobian`, the Newton matrix of the implicit
  /// equation `−D₁L_d(q₀, q₁) = p₀`.
  mutating func momentumAtStartJacobian(
    from q0: [Double], to q1: [Double], into jacobian: inout Matrix)
}

/// The buffers in which the midpoint and trapezoidal discrete Lagrangians evaluate their
/// Legendre transforms and Newton matrix without allocating.
struct LegendreTransformBuffers: Sendable {
  /// The point where the Lagrangian is evaluated (the midpoint q̄).
  var point: [Double]
  /// The discrete velocity `v = (q₁ − q₀)/h`.
  var velocity: [Double]
  /// `M` at the point, or at q₀.
  var mass: Matrix
  /// `M(q₁)`.
  var massAtEnd: Matrix
  /// One `∂M/∂qⁱ` at a time.
  var massDerivative: Matrix
  /// One `∂²M/∂qⁱ∂qʲ` at a time.
  var massSecondDerivative: Matrix
  /// `∇²V`.
  var potentialHessian: Matrix
  /// `∇V`.
  var potentialGradient: [Double]
  /// `vᵀ (∂²M/∂qⁱ∂qʲ) v` at the point.
  var velocityCurvature: Matrix
  /// Row k is `(∂M/∂qᵏ) v`, at the point or at q₀.
  var derivativeProducts: Matrix
  /// Row k is `(∂M/∂qᵏ)(q₁) v`.
  var derivativeProductsAtEnd: Matrix

  /// - Throws: ``IntegrationError/invalidParameter(name:value:requirement:)`` unless
  ///   `dimension ≥ 1`.
  init(dimension n: Int) throws(IntegrationError) {
    guard n >= 1 else {
      throw .invalidParameter(
        name: "dimension", value: Double(n), requirement: "must be at least 1")
    }
    point = Array(repeating: 0, count: n)
    velocity = point
    mass = .zeros(rows: n, columns: n)
    massAtEnd = mass
    massDerivative = mass
    massSecondDerivative = mass
    potentialHessian = mass
    potentialGradient = point
    velocityCurvature = mass
    derivativeProducts = mass
    derivativeProductsAtEnd = mass
  }
}

extension LagrangianSystem {
  /// Writes `(∂L/∂q)ᵢ = ½ vᵀ (∂M/∂qⁱ) v − ∂V/∂qⁱ` into `gradient`, with `massDerivative` as the
  /// buffer for `∂M/∂qⁱ`.
  func lagrangianGradient(
    at q: [Double], velocity v: [Double], into gradient: inout [Double],
    massDerivative: inout Matrix
  ) {
    potentialGradient(at: q, into: &gradient)
    for i in 0..<dimension {
      massMatrixDerivative(at: q, coordinate: i, into: &massDerivative)
      gradient[i] = 0.5 * quadraticForm(massDerivative, v) - gradient[i]
    }
  }

  /// Writes `(∂M/∂qᵏ) v` at `q` into row k of `products` (n×n), for every coordinate k, with
  /// `massDerivative` as the buffer for `∂M/∂qᵏ`.
  func massMatrixDerivativesTimes(
    _ v: [Double], at q: [Double], into products: inout Matrix, massDerivative: inout Matrix
  ) {
    for k in 0..<dimension {
      massMatrixDerivative(at: q, coordinate: k, into: &massDerivative)
      for i in 0..<dimension {
        var s = 0.0
        for j in 0..<dimension { s += massDerivative[i, j] * v[j] }
        products[k, i] = s
      }
    }
  }
}

/// `vᵀ A v`.
func quadraticForm(_ a: Matrix, _ v: [Double]) -> Double {
  var s = 0.0
  for r in v.indices {
    var row = 0.0
    for c in v.indices { row += a[r, c] * v[c] }
    s += v[r] * row
  }
  return s
}
