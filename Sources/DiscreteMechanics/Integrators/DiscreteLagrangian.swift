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
  func momentumAtStart(from q0: [Double], to q1: [Double], into momentum: inout [Double])
  /// Writes `D₂L_d(q₀, q₁)` (the momentum at the end of the step) into `momentum`.
  func momentumAtEnd(from q0: [Double], to q1: [Double], into momentum: inout [Double])
  /// Writes the n×n Jacobian `∂(−D₁L_d)/∂q₁` into `jacobian`, the Newton matrix of the implicit
  /// equation `−D₁L_d(q₀, q₁) = p₀`.
  func momentumAtStartJacobian(from q0: [Double], to q1: [Double], into jacobian: inout Matrix)
}

extension LagrangianSystem {
  /// Writes `(∂L/∂q)ᵢ = ½ vᵀ (∂M/∂qⁱ) v − ∂V/∂qⁱ` into `gradient`.
  func lagrangianGradient(at q: [Double], velocity v: [Double], into gradient: inout [Double]) {
    potentialGradient(at: q, into: &gradient)
    for i in 0..<dimension {
      gradient[i] = 0.5 * quadraticForm(massMatrixDerivative(at: q, coordinate: i), v) - gradient[i]
    }
  }

  /// `(∂M/∂qᵏ) v` for every coordinate k, at `q`.
  func massMatrixDerivativesTimes(_ v: [Double], at q: [Double]) -> [[Double]] {
    (0..<dimension).map { k in massMatrixDerivative(at: q, coordinate: k) * v }
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
