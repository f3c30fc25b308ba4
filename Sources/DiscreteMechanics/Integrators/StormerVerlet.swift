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
/// costs one gradient evaluation; a step allocates nothing (its temporary gradient is on the
/// stack). ``step(_:)`` is `@inlinable`, so that it is specialised for the caller's system rather
/// than run through protocol witnesses, and it is arranged so that the new q and the new gradient
/// reach the system and the final kick in registers (a pendulum or Kepler step then costs about
/// 1.1 times a plain C loop; see `Docs/Benchmarks.md`).
public struct StormerVerlet<System: ConstantMassSystem>: SystemIntegrator {
  public let system: System
  public let stepSize: Double
  public static var methodTraits: IntegratorTraits {
    IntegratorTraits(
      name: "verlet", isExplicit: true, isSymplectic: true, isSymmetric: true, order: 2)
  }

  @usableFromInline let inverseMass: Matrix
  /// The diagonal of `M⁻¹` when `M⁻¹` is diagonal (as for every built-in system on R^n): the
  /// drift is then `q_i += h (M⁻¹)_ii p_{k+½,i}`, in O(n) instead of O(n²).
  @usableFromInline let inverseMassDiagonal: [Double]?
  /// `∇V` at ``gradientPosition``, the last step's `q_{k+1}`.
  @usableFromInline var gradient: [Double]
  @usableFromInline var gradientPosition: [Double]
  /// The forces, input and buffers of a forced step (``init(system:stepSize:forces:)``), or nil.
  @usableFromInline var forced: ForcedVerletWorkspace?

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

  /// One step; with forces, the forced step (``init(system:stepSize:forces:)``).
  @inlinable
  public mutating func step(_ state: inout PhaseState) throws(IntegrationError) {
    if forced != nil {
      try forcedStep(&state)
      return
    }
    let n = system.dimension
    guard state.q.count == n, state.p.count == n else {
      throw .wrongDimension(name: "state", expected: n, actual: state.q.count)
    }
    let h = stepSize
    let half = 0.5 * h
    let stale = state.q != gradientPosition
    // The arrays the step writes, moved (not copied) into locals and written through spans: their
    // copy-on-write checks, calls into the runtime after which the compiler must reload every
    // value from memory, all come before the arithmetic.
    var q = exchange(&state.q, with: [])
    var p = exchange(&state.p, with: [])
    var gradient = exchange(&self.gradient, with: [])
    var position = exchange(&gradientPosition, with: [])
    var qView = q.mutableSpan
    var pView = p.mutableSpan
    var gradientView = gradient.mutableSpan
    var positionView = position.mutableSpan
    if stale { system.potentialGradient(at: qView.span, into: &gradientView) }
    // The drift, with p_{k+½} = p_k − (h/2)∇V(q_k) in registers: p is written only in the final
    // kick, so that no store the compiler must assume may alias q (it cannot tell the arrays
    // apart) comes between the stores to q and the gradient's loads of them.
    if let diagonal = inverseMassDiagonal {
      for i in 0..<n { qView[i] += h * (diagonal[i] * (pView[i] - half * gradientView[i])) }
    } else {
      for i in 0..<n {
        var v = 0.0
        for j in 0..<n { v += inverseMass[i, j] * (pView[j] - half * gradientView[j]) }
        qView[i] += h * v
      }
    }
    // The new gradient goes to stack memory, which no store to p can alias: the final kick reads
    // it from registers.
    let finite = withUnsafeTemporaryAllocation(of: Double.self, capacity: n) { buffer in
      var next = buffer.mutableSpan
      system.potentialGradient(at: qView.span, into: &next)
      var finite = true
      for i in 0..<n {
        pView[i] = (pView[i] - half * gradientView[i]) - half * next[i]
        gradientView[i] = next[i]
        positionView[i] = qView[i]
        finite = finite && pView[i].isFinite && qView[i].isFinite
      }
      return finite
    }
    state.q = q
    state.p = p
    self.gradient = gradient
    gradientPosition = position
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
