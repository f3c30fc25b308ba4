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
/// costs one gradient evaluation; a step allocates nothing. ``step(_:)`` is `@inlinable`, so that
/// it is specialised for the caller's system rather than run through protocol witnesses (a
/// pendulum step then costs about 1.4 times a plain C loop; see `Docs/Benchmarks.md`).
public struct StormerVerlet<System: ConstantMassSystem>: SystemIntegrator {
  public let system: System
  public let stepSize: Double
  public static var methodTraits: IntegratorTraits {
    IntegratorTraits(
      name: "verlet", isExplicit: true, isSymplectic: true, isSymmetric: true, order: 2)
  }

  @usableFromInline let inverseMass: Matrix
  /// The diagonal of `M⁻¹` when `M⁻¹` is diagonal (as for every built-in system on R^n): the
  /// drift is then `q_i += h (M⁻¹)_ii p_i`, fused with the kick, in O(n) instead of O(n²).
  @usableFromInline let inverseMassDiagonal: [Double]?
  @usableFromInline var gradient: [Double]
  @usableFromInline var gradientPosition: [Double]

  /// Forms `M⁻¹` from the system's ``ConstantMassSystem/mass`` once (`Matrix.inverse`:
  /// exactly `1/Mᵢᵢ` for a diagonal M).
  /// - Throws: ``IntegrationError/invalidStepSize(_:)`` unless `stepSize` is positive and finite;
  ///   ``IntegrationError/wrongDimension(name:expected:actual:)`` unless M is n×n;
  ///   ``IntegrationError/singularMassMatrix(step:)`` if M cannot be inverted.
  public init(system: System, stepSize: Double) throws(IntegrationError) {
    try StepSize.validate(stepSize)
    let mass = system.mass
    let n = system.dimension
    guard mass.rows == n else {
      throw .wrongDimension(name: "mass matrix columns", expected: n, actual: mass.rows)
    }
    guard mass.columns == n else {
      throw .wrongDimension(name: "mass matrix rows", expected: n, actual: mass.columns)
    }
    guard let inverseMass = mass.inverse else { throw .singularMassMatrix(step: nil) }
    self.system = system
    self.stepSize = stepSize
    self.inverseMass = inverseMass
    inverseMassDiagonal = Self.diagonal(of: inverseMass)
    gradient = Array(repeating: 0, count: system.dimension)
    gradientPosition = Array(repeating: .nan, count: system.dimension)
  }

  @inlinable
  public mutating func step(_ state: inout PhaseState) throws(IntegrationError) {
    let n = system.dimension
    guard state.q.count == n, state.p.count == n else {
      throw .wrongDimension(name: "state", expected: n, actual: state.q.count)
    }
    let h = stepSize
    let half = 0.5 * h
    if state.q != gradientPosition { system.potentialGradient(at: state.q, into: &gradient) }
    // Kick and drift through the buffers: the copy-on-write checks of p and q come first, and
    // p_{k+½} stays in a register for the drift.
    state.p.withUnsafeMutableBufferPointer { p in
      state.q.withUnsafeMutableBufferPointer { q in
        if let diagonal = inverseMassDiagonal {
          for i in 0..<n {
            let pHalf = p[i] - half * gradient[i]
            p[i] = pHalf
            q[i] += h * (diagonal[i] * pHalf)
          }
        } else {
          for i in 0..<n { p[i] -= half * gradient[i] }
          for i in 0..<n {
            var v = 0.0
            for j in 0..<n { v += inverseMass[i, j] * p[j] }
            q[i] += h * v
          }
        }
      }
    }
    system.potentialGradient(at: state.q, into: &gradient)
    var finite = true
    state.p.withUnsafeMutableBufferPointer { p in
      for i in 0..<n {
        p[i] -= half * gradient[i]
        finite = finite && p[i].isFinite
      }
    }
    for i in 0..<n {
      gradientPosition[i] = state.q[i]
      finite = finite && state.q[i].isFinite
    }
    guard finite else { throw .nonFiniteState(step: nil) }
  }

  /// The diagonal of `m` if its off-diagonal entries are all zero, else `nil`.
  private static func diagonal(of m: Matrix) -> [Double]? {
    for i in 0..<m.rows {
      for j in 0..<m.columns where i != j && m[i, j] != 0 { return nil }
    }
    return (0..<m.rows).map { m[$0, $0] }
  }
}
