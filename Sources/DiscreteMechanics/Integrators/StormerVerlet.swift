import Manifolds

/// The Störmer–Verlet (velocity Verlet, leapfrog) method for a constant mass matrix:
///
///     p_{k+½} = p_k − (h/2) ∇V(q_k)
///     q_{k+1} = q_k + h M⁻¹ p_{k+½}
///     p_{k+1} = p_{k+½} − (h/2) ∇V(q_{k+1})
///
/// It is the variational integrator of the trapezoidal discrete Lagrangian
/// `L_d(q₀, q₁) = (h/2)[L(q₀, v) + L(q₁, v)]`, `v = (q₁ − q₀)/h`: explicit, symplectic,
/// symmetric, order 2, and it conserves every momentum map of a symmetry of V exactly.
/// (Hairer, Lubich, Wanner, *Geometric Numerical Integration*, 2006, §I.1.4 and §VI.6;
/// Marsden and West, *Discrete mechanics and variational integrators*, Acta Numerica 2001.)
///
/// The gradient at `q_{k+1}` is reused as the gradient at `q_k` of the next step, so each step
/// costs one gradient evaluation; a step allocates nothing.
public struct StormerVerlet<System: ConstantMassSystem>: Integrator {
  public let system: System
  public let stepSize: Double
  public var traits: IntegratorTraits {
    IntegratorTraits(name: "verlet", isExplicit: true, isSymplectic: true, isSymmetric: true, order: 2)
  }

  private let inverseMass: Matrix
  private var gradient: [Double]
  private var gradientPosition: [Double]

  /// - Throws: ``IntegrationError/invalidStepSize(_:)`` unless `stepSize` is positive and finite.
  public init(system: System, stepSize: Double) throws(IntegrationError) {
    try StepSize.validate(stepSize)
    self.system = system
    self.stepSize = stepSize
    self.inverseMass = system.inverseMass
    gradient = Array(repeating: 0, count: system.dimension)
    gradientPosition = Array(repeating: .nan, count: system.dimension)
  }

  public mutating func step(_ state: inout PhaseState) throws(IntegrationError) {
    let n = system.dimension
    guard state.q.count == n, state.p.count == n else {
      throw .wrongDimension(name: "state", expected: n, actual: state.q.count)
    }
    let half = 0.5 * stepSize
    if state.q != gradientPosition { system.potentialGradient(at: state.q, into: &gradient) }
    for i in 0..<n { state.p[i] -= half * gradient[i] }
    for i in 0..<n {
      var v = 0.0
      for j in 0..<n { v += inverseMass[i, j] * state.p[j] }
      state.q[i] += stepSize * v
    }
    system.potentialGradient(at: state.q, into: &gradient)
    for i in 0..<n {
      gradientPosition[i] = state.q[i]
      state.p[i] -= half * gradient[i]
    }
    guard state.p.allSatisfy(\.isFinite), state.q.allSatisfy(\.isFinite) else {
      throw .nonFiniteState(step: nil)
    }
  }
}
