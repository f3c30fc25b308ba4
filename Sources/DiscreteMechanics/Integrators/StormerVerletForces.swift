import Manifolds

/// Forced Störmer–Verlet: the trapezoidal discrete Lagrangian with the discrete forces
/// `f_d⁻ = (h/2) F(q_k, v, u_k)`, `f_d⁺ = (h/2) F(q_{k+1}, v, u_k)` at the step's velocity
/// `v = (q_{k+1} − q_k)/h` (Marsden and West 2001, §3.2), `F = B(q)u − D(q)q̇`. The discrete
/// Legendre transforms `p_k = −D₁L_d − f_d⁻`, `p_{k+1} = D₂L_d + f_d⁺` give
///
///     (M + (h/2) D(q_k)) v = p_k − (h/2) ∇V(q_k) + (h/2) B(q_k) u_k,    q_{k+1} = q_k + h v,
///     p_{k+1} = M v − (h/2) ∇V(q_{k+1}) + (h/2) (B(q_{k+1}) u_k − D(q_{k+1}) v),
///
/// explicit but for one n×n linear solve, and none when `D(q_k) = 0` (then `v = M⁻¹(…)` with the
/// inverse the unforced step uses). `M v` is evaluated as the right-hand side minus
/// `(h/2) D(q_k) v`, so that with `D = 0` and `u = 0` every operation is the unforced step's:
/// the two agree bit for bit (tested). Second order, and symplectic when the forces vanish.
extension StormerVerlet: ForcedIntegrator {
  /// - Throws: as ``init(system:stepSize:)``;
  ///   ``IntegrationError/wrongDimension(name:expected:actual:)`` unless the forces act on the
  ///   system's n coordinates.
  public init(system: System, stepSize: Double, forces: any GeneralisedForce)
    throws(IntegrationError)
  {
    try self.init(system: system, stepSize: stepSize)
    guard forces.dimension == system.dimension else {
      throw .wrongDimension(
        name: "generalised force", expected: system.dimension, actual: forces.dimension)
    }
    forced = ForcedVerletWorkspace(forces: forces, mass: system.mass)
  }

  /// The non-conservative forces, if any.
  public var forces: (any GeneralisedForce)? { forced?.forces }
  public var inputCount: Int { forced?.forces.inputCount ?? 0 }
  public var input: [Double] { forced?.input ?? [] }

  public mutating func holdInput(_ u: [Double]) throws(IntegrationError) {
    try IntegrationError.check(u, name: "input u", dimension: inputCount)
    guard forced != nil else { return }
    if !isKnownUniquelyReferenced(&forced) { forced = forced?.copy() }
    forced?.input = u
  }

  /// The discrete forces of the step from `state` to `next` under ``input``:
  /// `f_d⁻ = (h/2) F(q_k, v, u)`, `f_d⁺ = (h/2) F(q_{k+1}, v, u)`, `v = (q_{k+1} − q_k)/h`
  /// (zeros without forces).
  /// - Throws: ``IntegrationError/wrongDimension(name:expected:actual:)`` unless both states
  ///   have the system's n coordinates.
  public func discreteForces(from state: PhaseState, to next: PhaseState)
    throws(IntegrationError) -> DiscreteForces
  {
    let n = system.dimension
    for q in [state.q, next.q] where q.count != n {
      throw .wrongDimension(name: "q", expected: n, actual: q.count)
    }
    let h = stepSize
    let v = zip(state.q, next.q).map { ($1 - $0) / h }
    guard let forced else {
      let zero = Array(repeating: 0.0, count: v.count)
      return DiscreteForces(start: zero, end: zero, velocity: v)
    }
    let start = forced.forces.force(at: state.q, velocity: v, input: forced.input)
    let end = forced.forces.force(at: next.q, velocity: v, input: forced.input)
    return DiscreteForces(
      start: start.map { 0.5 * h * $0 }, end: end.map { 0.5 * h * $0 }, velocity: v)
  }

  /// The forced step (see the extension's documentation); allocates nothing.
  @usableFromInline
  mutating func forcedStep(_ state: inout PhaseState) throws(IntegrationError) {
    let n = system.dimension
    guard state.q.count == n, state.p.count == n else {
      throw .wrongDimension(name: "state", expected: n, actual: state.q.count)
    }
    guard forced != nil else { return }
    if !isKnownUniquelyReferenced(&forced) { forced = forced?.copy() }
    guard let work = forced else { return }
    let h = stepSize
    let half = 0.5 * h
    if state.q != gradientPosition { system.writePotentialGradient(at: state.q, into: &gradient) }
    work.forces.inputForce(at: state.q, input: work.input, into: &work.inputForce)
    work.forces.dissipation(at: state.q, into: &work.startDissipation)
    for i in 0..<n {
      work.rightHandSide[i] = (state.p[i] - half * gradient[i]) + half * work.inputForce[i]
    }
    // v: by the unforced step's M⁻¹ when D(q_k) = 0, else (M + (h/2)D(q_k)) v = rhs.
    if work.startDissipation.storage.allSatisfy({ $0 == 0 }) {
      for i in 0..<n {
        if let diagonal = inverseMassDiagonal {
          work.velocity[i] = diagonal[i] * work.rightHandSide[i]
        } else {
          var v = 0.0
          for j in 0..<n { v += inverseMass[i, j] * work.rightHandSide[j] }
          work.velocity[i] = v
        }
      }
    } else {
      for k in work.matrix.storage.indices {
        work.matrix.storage[k] = work.mass.storage[k] + half * work.startDissipation.storage[k]
      }
      for i in 0..<n { work.velocity[i] = work.rightHandSide[i] }
      guard work.matrix.solveInPlace(&work.velocity) else { throw .singularMassMatrix(step: nil) }
    }
    for i in 0..<n { state.q[i] += h * work.velocity[i] }
    system.writePotentialGradient(at: state.q, into: &gradient)
    for i in 0..<n { gradientPosition[i] = state.q[i] }
    // p_{k+1} = (rhs − (h/2) D(q_k) v) − (h/2)∇V(q_{k+1}) + (h/2)(B(q_{k+1})u − D(q_{k+1})v).
    for i in 0..<n {
      var damping = 0.0
      for j in 0..<n { damping += work.startDissipation[i, j] * work.velocity[j] }
      work.rightHandSide[i] -= half * damping
    }
    work.forces.writeForce(
      at: state.q, velocity: work.velocity, input: work.input, into: &work.inputForce,
      dissipation: &work.startDissipation)
    var finite = true
    for i in 0..<n {
      state.p[i] = (work.rightHandSide[i] - half * gradient[i]) + half * work.inputForce[i]
      finite = finite && state.p[i].isFinite && state.q[i].isFinite
    }
    guard finite else { throw .nonFiniteState(step: nil) }
  }
}

/// The buffers of a forced ``StormerVerlet`` step, allocated once, and the forces and input: a
/// class, so that the unforced step tests for it with one comparison of a reference (an
/// optional struct of arrays was copied to be tested, +70% instructions per pendulum step); a
/// copy of the integrator gets a workspace of its own before it writes one.
@usableFromInline
final class ForcedVerletWorkspace {
  let forces: any GeneralisedForce
  /// u, held over the following steps.
  var input: [Double]
  /// The constant M, and `M + (h/2) D(q_k)` in the step.
  let mass: Matrix
  var matrix: Matrix
  /// `B(q)u`, then `F(q_{k+1}, v, u)`.
  var inputForce: [Double]
  /// `D(q_k)`, then `D(q_{k+1})`.
  var startDissipation: Matrix
  /// `p_k − (h/2)∇V(q_k) + (h/2)B(q_k)u`, then minus `(h/2)D(q_k)v` (= M v); and v.
  var rightHandSide: [Double]
  var velocity: [Double]

  init(forces: any GeneralisedForce, mass: Matrix) {
    let n = mass.rows
    self.forces = forces
    input = Array(repeating: 0, count: forces.inputCount)
    self.mass = mass
    matrix = mass
    inputForce = Array(repeating: 0, count: n)
    startDissipation = .zeros(rows: n, columns: n)
    rightHandSide = inputForce
    velocity = inputForce
  }

  /// A workspace with the same forces and input.
  func copy() -> ForcedVerletWorkspace {
    let copy = ForcedVerletWorkspace(forces: forces, mass: mass)
    copy.input = input
    return copy
  }
}
