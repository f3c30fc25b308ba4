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
/// The evaluations are `mutating` only because a conforming type keeps preallocated buffers for
/// its intermediate quantities (M, ∂M/∂qⁱ, ∇²V, …), so that the Newton iteration of a step
/// allocates nothing; they do not change the discrete Lagrangian.
public protocol DiscreteLagrangian: Sendable {
  /// The continuous system.
  associatedtype System: LagrangianSystem
  /// The traits of the variational integrator of this discrete Lagrangian.
  static var traits: IntegratorTraits { get }
  /// The continuous system.
  var system: System { get }
  /// The step size h.
  var stepSize: Double { get }
  /// Where the discrete forces of a forced step evaluate the continuous force (the default is
  /// ``ForceQuadrature/midpoint``).
  static var forceQuadrature: ForceQuadrature { get }
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
  /// Writes `−D₁L_d(q₀, q₁)` and its Jacobian in q₁ together, as each Newton iteration needs
  /// them; the default evaluates the two separately.
  mutating func momentumAtStartAndJacobian(
    from q0: [Double], to q1: [Double], into momentum: inout [Double], jacobian: inout Matrix)
}

extension DiscreteLagrangian {
  @inlinable
  public mutating func momentumAtStartAndJacobian(
    from q0: [Double], to q1: [Double], into momentum: inout [Double], jacobian: inout Matrix
  ) {
    momentumAtStart(from: q0, to: q1, into: &momentum)
    momentumAtStartJacobian(from: q0, to: q1, into: &jacobian)
  }
}

/// Copies `source` into the array `destination` of the same length, through a span: one
/// copy-on-write check, not one per entry, in the loops of an implicit step.
@inlinable
func copyEntries(_ source: [Double], into destination: inout [Double]) {
  var target = destination.mutableSpan
  for i in source.indices { target[i] = source[i] }
}
