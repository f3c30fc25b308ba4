import Manifolds

/// Hamilton's equations of a ``LagrangianSystem`` as a first-order ODE `x' = f(x)`, `x = (q, p)`:
///
///     q̇ = M(q)⁻¹ p,    ṗ = ∂L/∂q + F(q, q̇, u) = ½ q̇ᵀ (∂M/∂q) q̇ − ∇V(q) + B(q)u − D(q)q̇,
///
/// with the non-conservative force F of ``forces`` (none by default) at the held ``input`` u.
/// The baselines (explicit Euler, classical Runge–Kutta, GSL's rk8pd) integrate this field, u
/// constant over each of their steps (zero-order hold), so that each step integrates a smooth
/// field and keeps its order.
public struct HamiltonianVectorField<System: LagrangianSystem>: Sendable {
  public let system: System
  /// The non-conservative forces, if any.
  public let forces: (any GeneralisedForce)?
  /// The input u (``GeneralisedForce/inputCount`` numbers; empty without forces), set by
  /// ``holdInput(_:)``.
  public private(set) var input: [Double]

  public init(system: System) {
    self.system = system
    forces = nil
    input = []
  }

  /// The field with the forces `forces`, its input held at zero.
  /// - Throws: ``IntegrationError/wrongDimension(name:expected:actual:)`` unless the forces act
  ///   on the system's n coordinates.
  public init(system: System, forces: any GeneralisedForce) throws(IntegrationError) {
    guard forces.dimension == system.dimension else {
      throw .wrongDimension(
        name: "generalised force", expected: system.dimension, actual: forces.dimension)
    }
    self.system = system
    self.forces = forces
    input = Array(repeating: 0, count: forces.inputCount)
  }

  /// Holds `u` in the field.
  /// - Throws: as ``ForcedIntegrator/holdInput(_:)``.
  public mutating func holdInput(_ u: [Double]) throws(IntegrationError) {
    try IntegrationError.check(u, name: "input u", dimension: forces?.inputCount ?? 0)
    input = u
  }

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
    guard let forces else { return }
    forces.writeForce(
      at: buffers.q, velocity: buffers.velocity, input: input, into: &buffers.generalisedForce,
      dissipation: &buffers.massDerivative)
    for i in buffers.force.indices { buffers.force[i] += buffers.generalisedForce[i] }
  }

  /// The arrays ``evaluate(_:)`` works in, allocated once for n coordinates.
  struct Buffers {
    /// The point `(q, p)` where the field is evaluated.
    var q: [Double]
    var p: [Double]
    /// `q̇ = M(q)⁻¹ p`.
    var velocity: [Double]
    /// `ṗ = ∂L/∂q(q, q̇) + F(q, q̇, u)`.
    var force: [Double]
    /// `F(q, q̇, u)`.
    var generalisedForce: [Double]
    /// `M(q)`, then its elimination in the solve for q̇.
    var mass: Matrix
    /// One `∂M/∂qⁱ` at a time, then `D(q)`.
    var massDerivative: Matrix

    init(dimension n: Int) {
      q = Array(repeating: 0, count: n)
      p = q
      velocity = q
      force = q
      generalisedForce = q
      mass = .zeros(rows: n, columns: n)
      massDerivative = mass
    }
  }
}
