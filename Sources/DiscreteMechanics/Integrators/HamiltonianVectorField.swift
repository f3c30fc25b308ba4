import Manifolds

/// Hamilton's equations of a ``LagrangianSystem`` as a first-order ODE `x' = f(x)`, `x = (q, p)`:
///
///     q̇ = M(q)⁻¹ p,    ṗ = ∂L/∂q = ½ q̇ᵀ (∂M/∂q) q̇ − ∇V(q).
///
/// The baselines (explicit Euler, classical Runge–Kutta, GSL's rk8pd) integrate this field.
public struct HamiltonianVectorField<System: LagrangianSystem>: Sendable {
  public let system: System

  public init(system: System) { self.system = system }

  /// `f(x)` for `x = (q, p)` concatenated; throws when M(q) is singular.
  public func callAsFunction(_ x: [Double]) throws(IntegrationError) -> [Double] {
    let n = system.dimension
    var buffers = Buffers(dimension: n)
    buffers.q.replaceSubrange(0..<n, with: x[0..<n])
    buffers.p.replaceSubrange(0..<n, with: x[n..<(2 * n)])
    try evaluate(&buffers)
    return buffers.velocity + buffers.force
  }

  /// `q̇ = M(q)⁻¹p` and `ṗ = ∂L/∂q(q, q̇)` at `(buffers.q, buffers.p)`, into `buffers.velocity`
  /// and `buffers.force`; allocation-free when the system's `into:` forms are.
  ///
  /// - Throws: ``IntegrationError/singularMassMatrix(step:)`` when M(q) is singular.
  func evaluate(_ buffers: inout Buffers) throws(IntegrationError) {
    for i in buffers.p.indices { buffers.velocity[i] = buffers.p[i] }
    system.massMatrix(at: buffers.q, into: &buffers.mass)
    guard buffers.mass.solveInPlace(&buffers.velocity) else {
      throw .singularMassMatrix(step: nil)
    }
    system.lagrangianGradient(
      at: buffers.q, velocity: buffers.velocity, into: &buffers.force,
      massDerivative: &buffers.massDerivative)
  }

  /// The arrays ``evaluate(_:)`` works in, allocated once for n coordinates.
  struct Buffers {
    /// The point `(q, p)` where the field is evaluated.
    var q: [Double]
    var p: [Double]
    /// `q̇ = M(q)⁻¹ p`.
    var velocity: [Double]
    /// `ṗ = ∂L/∂q(q, q̇)`.
    var force: [Double]
    /// `M(q)`, then its elimination in the solve for q̇.
    var mass: Matrix
    /// One `∂M/∂qⁱ` at a time.
    var massDerivative: Matrix

    init(dimension n: Int) {
      q = Array(repeating: 0, count: n)
      p = q
      velocity = q
      force = q
      mass = .zeros(rows: n, columns: n)
      massDerivative = mass
    }
  }
}
