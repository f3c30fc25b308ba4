import Manifolds

/// The variational integrator of a ``DiscreteLagrangian`` in position–momentum form: from
/// `(q_k, p_k)`,
///
///     solve  −D₁L_d(q_k, q_{k+1}) = p_k  for q_{k+1},    then  p_{k+1} = D₂L_d(q_k, q_{k+1})
///
/// (Marsden and West, *Discrete mechanics and variational integrators*, Acta Numerica 2001, §1.5).
/// ``VariationalMidpoint`` and ``VariationalTrapezoidal`` are its two instances for systems with a
/// configuration-dependent mass matrix.
///
/// The implicit equation is solved by ``rootFinder``: Newton's method with the analytic Jacobian
/// (``DiscreteLagrangian/momentumAtStartAndJacobian(from:to:into:jacobian:)``, one evaluation
/// per iteration), in Swift by default and with the iterates of GSL's (``RootFinder/swiftNewton``),
/// falling back to GSL's `hybridsj`. Newton is warm-started at the quadratic extrapolation
/// `q_k + h (2v_{k−1} − v_{k−2})` of the last positions, with `v_{k−1} = (q_k − q_{k−1})/h`, when
/// the state is the one this integrator produced last (linear, `q_k + h v_{k−1}`, after one such
/// step; two Newton iterations per double-pendulum step at h = 0.01, against 2.3 from the linear
/// one); otherwise at the explicit Euler guess `q_k + h M(q_k)⁻¹ p_k`. The default root finder iterates
/// until the correction is at round-off, so that the discrete momentum maps are conserved to
/// round-off; a looser ``RootFinder/residualTolerance`` τ changes a conserved momentum map by at
/// most about τ |ξ| per step.
///
/// The integrator keeps a workspace (the solvers, the buffers of the residual and Jacobian, the
/// warm start), so that after the first step a step allocates nothing, in Swift or in GSL, when
/// the system's `into:` matrices allocate nothing (``DoublePendulum``, the constant-mass systems)
/// and the caller's state arrays are not shared. A copy of the integrator gets a workspace of its
/// own when it first steps. ``step(_:)`` is `@inlinable`, down to the system's derivatives, so
/// that it is specialised for the caller's system instead of running generic code (about 10
/// metadata lookups per double-pendulum step otherwise; see `Docs/Benchmarks.md`).
///
/// A step whose implicit equation cannot be solved throws
/// ``IntegrationError/rootFindingFailed(step:_:)`` with the residual and the iteration count (the
/// state is left unchanged); ``Integrator/integrate(from:steps:stride:)`` fills in the step number.
public struct ImplicitVariationalIntegrator<Lagrangian: DiscreteLagrangian>: SystemIntegrator {
  /// The continuous system.
  public typealias System = Lagrangian.System

  /// The solver of the implicit equation (tolerances and iteration cap are configurable).
  public var rootFinder: RootFinder

  /// The solver iterations of the last step, failed or not (Newton's, plus `hybridsj`'s when the
  /// fallback ran).
  public var lastStepIterations: Int { counts.lastStep }
  /// The solver iterations summed over all steps taken.
  public var newtonIterations: Int { counts.iterations }
  /// The number of successful steps taken.
  public var stepsTaken: Int { counts.steps }

  @usableFromInline var counts = (lastStep: 0, iterations: 0, steps: 0)
  @usableFromInline var workspace: ImplicitStepWorkspace<Lagrangian>

  /// - Throws: ``IntegrationError/invalidStepSize(_:)`` unless `stepSize` is positive and finite;
  ///   ``IntegrationError/invalidParameter(name:value:requirement:)`` for a root finder with a
  ///   non-positive tolerance or an iteration cap below 1, or a system of dimension below 1.
  public init(system: System, stepSize: Double) throws(IntegrationError) {
    try self.init(system: system, stepSize: stepSize, rootFinder: RootFinder())
  }

  /// - Throws: ``IntegrationError/invalidStepSize(_:)`` unless `stepSize` is positive and finite;
  ///   ``IntegrationError/invalidParameter(name:value:requirement:)`` for a root finder with a
  ///   non-positive tolerance or an iteration cap below 1, or a system of dimension below 1.
  public init(system: System, stepSize: Double, rootFinder: RootFinder)
    throws(IntegrationError)
  {
    workspace = try ImplicitStepWorkspace(Lagrangian(system: system, stepSize: stepSize))
    self.rootFinder = rootFinder
    try Self.validate(rootFinder)
  }

  /// The discrete Lagrangian whose DEL equations are solved.
  public var discreteLagrangian: Lagrangian { workspace.step.lagrangian }
  /// The continuous system.
  public var system: System { workspace.step.lagrangian.system }
  public var stepSize: Double { workspace.step.lagrangian.stepSize }
  public static var methodTraits: IntegratorTraits { Lagrangian.traits }

  /// `newtonIterations / stepsTaken` (0 before the first step).
  public var meanNewtonIterations: Double {
    stepsTaken > 0 ? Double(newtonIterations) / Double(stepsTaken) : 0
  }

  /// One step `(q_k, p_k) ↦ (q_{k+1}, p_{k+1})`, written into `state`'s arrays.
  ///
  /// - Throws: ``IntegrationError/wrongDimension(name:expected:actual:)`` or
  ///   ``IntegrationError/nonFiniteState(step:)`` for a malformed state;
  ///   ``IntegrationError/singularMassMatrix(step:)`` when the Euler guess needs `M(q_k)⁻¹` and
  ///   M(q_k) is singular; ``IntegrationError/rootFindingFailed(step:_:)`` when the implicit
  ///   equation is not solved; ``IntegrationError/nonFiniteState(step:)`` when the new state is
  ///   not finite; ``IntegrationError/invalidParameter(name:value:requirement:)`` for an invalid
  ///   ``rootFinder``.
  @inlinable
  public mutating func step(_ state: inout PhaseState) throws(IntegrationError) {
    if !isKnownUniquelyReferenced(&workspace) { workspace = try workspace.copy() }
    let workspace = workspace
    let n = workspace.dimension
    guard state.q.count == n else {
      throw .wrongDimension(name: "q", expected: n, actual: state.q.count)
    }
    guard state.p.count == n else {
      throw .wrongDimension(name: "p", expected: n, actual: state.p.count)
    }
    guard state.q.allSatisfy(\.isFinite), state.p.allSatisfy(\.isFinite) else {
      throw .nonFiniteState(step: nil)
    }
    try Self.validate(rootFinder)

    try workspace.step.start(from: state, guess: &workspace.end)
    let solution: RootFindingStatistics
    do throws(RootFindingError) {
      solution = try rootFinder.solve(
        &workspace.end, in: workspace.rootFinding, equations: workspace)
    } catch {
      counts.lastStep = error.iterations
      throw .rootFindingFailed(step: nil, error)
    }
    counts.lastStep = solution.iterations

    try workspace.step.finish(at: workspace.end, into: &state)
    counts.iterations += solution.iterations
    counts.steps += 1
  }

  /// Throws unless the tolerances are positive (the step tolerance may be 0) and finite and the
  /// iteration cap is at least 1.
  @usableFromInline
  static func validate(_ rootFinder: RootFinder) throws(IntegrationError) {
    let residualTolerance = rootFinder.residualTolerance
    guard residualTolerance.isFinite, residualTolerance > 0 else {
      throw .invalidParameter(
        name: "residualTolerance", value: residualTolerance,
        requirement: "must be positive and finite")
    }
    let stepTolerance = rootFinder.stepTolerance
    guard stepTolerance.isFinite, stepTolerance >= 0 else {
      throw .invalidParameter(
        name: "stepTolerance", value: stepTolerance, requirement: "must be non-negative and finite")
    }
    guard rootFinder.maxIterations >= 1 else {
      throw .invalidParameter(
        name: "maxIterations", value: Double(rootFinder.maxIterations),
        requirement: "must be at least 1")
    }
  }
}

/// The workspace of an ``ImplicitVariationalIntegrator``, allocated once: the GSL root-finding
/// workspace, the guess and then root `q_{k+1}`, and the rest of the step.
///
/// As ``RootFindingEquations`` it is the implicit equation `−D₁L_d(q_k, q₁) − p_k = 0` in q₁.
/// Each access to a class's stored property is checked for exclusivity at run time, so a
/// callback makes one access, to ``step``; ``end`` is apart because the root finder writes it
/// while the callbacks read ``step``.
@usableFromInline
final class ImplicitStepWorkspace<Lagrangian: DiscreteLagrangian>: RootFindingEquations {
  @usableFromInline let rootFinding: RootFindingWorkspace
  // The two are accessed once per step and per Newton evaluation, never overlapping (a step
  // holds the workspace alone): no run-time exclusivity checks, which cost about a tenth of a
  // double-pendulum step.
  /// The initial guess for `q_{k+1}`, then `q_{k+1}`.
  @exclusivity(unchecked) @usableFromInline var end: [Double]
  @exclusivity(unchecked) @usableFromInline var step: ImplicitStep<Lagrangian>

  @usableFromInline var dimension: Int { rootFinding.dimension }

  @usableFromInline
  init(_ lagrangian: Lagrangian) throws(IntegrationError) {
    let n = lagrangian.system.dimension
    do throws(RootFindingError) {
      rootFinding = try RootFindingWorkspace(dimension: n)
    } catch {
      throw .invalidParameter(
        name: "dimension", value: Double(n), requirement: "must be at least 1")
    }
    end = Array(repeating: 0, count: n)
    step = ImplicitStep(lagrangian)
  }

  /// A workspace with the same discrete Lagrangian and warm start and buffers of its own.
  @usableFromInline
  func copy() throws(IntegrationError) -> ImplicitStepWorkspace {
    let copy = try ImplicitStepWorkspace(step.lagrangian)
    copy.step.warmStart = step.warmStart
    copy.step.forced = step.forced?.copy()
    return copy
  }

  @inlinable
  func residual(at q1: [Double], into residual: inout [Double]) {
    step.residual(at: q1, into: &residual)
  }

  @inlinable
  func jacobian(at q1: [Double], into jacobian: inout Matrix) {
    step.jacobian(at: q1, into: &jacobian)
  }

  @inlinable
  func residualAndJacobian(at q1: [Double], residual: inout [Double], jacobian: inout Matrix) {
    step.residualAndJacobian(at: q1, residual: &residual, jacobian: &jacobian)
  }
}

/// One step of an ``ImplicitVariationalIntegrator`` apart from the root finding: the discrete
/// Lagrangian with its buffers, `(q_k, p_k)`, `p_{k+1}` and the warm start.
@usableFromInline
struct ImplicitStep<Lagrangian: DiscreteLagrangian> {
  @usableFromInline var lagrangian: Lagrangian
  /// `q_k` and `p_k`.
  @usableFromInline var start: [Double]
  @usableFromInline var startMomentum: [Double]
  /// `p_{k+1}`.
  @usableFromInline var endMomentum: [Double]
  /// The end `(q_{k+1}, p_{k+1})` of the last step, its velocity `v_k = (q_{k+1} − q_k)/h` and
  /// the change `v_k − v_{k−1}` from the step before (0 if that step did not end where it began).
  @usableFromInline var warmStart:
    (position: [Double], momentum: [Double], velocity: [Double], velocityChange: [Double])?
  /// Whether this step starts where the last one ended.
  @usableFromInline var continues = false
  /// The non-conservative forces and the held input, if any (``ImplicitStepForces``).
  @usableFromInline var forced: ImplicitStepForces?

  @usableFromInline
  init(_ lagrangian: Lagrangian) {
    self.lagrangian = lagrangian
    start = Array(repeating: 0, count: lagrangian.system.dimension)
    startMomentum = start
    endMomentum = start
  }

  /// Loads `(q_k, p_k)` and writes the initial guess for `q_{k+1}` into `guess`: when `state` is
  /// where the last step ended, the quadratic extrapolation `q_k + h (v_{k−1} + (v_{k−1} − v_{k−2}))`
  /// of the last positions (error O(h³)), else `q_k + h M(q_k)⁻¹ p_k`.
  @inlinable
  mutating func start(from state: PhaseState, guess: inout [Double]) throws(IntegrationError) {
    let h = lagrangian.stepSize
    copyEntries(state.q, into: &start)
    copyEntries(state.p, into: &startMomentum)
    continues = false
    if let warmStart, warmStart.position == state.q, warmStart.momentum == state.p {
      continues = true
      var next = guess.mutableSpan
      for i in start.indices {
        next[i] = start[i] + h * (warmStart.velocity[i] + warmStart.velocityChange[i])
      }
    } else {
      guard let velocity = lagrangian.system.velocity(state) else {
        throw .singularMassMatrix(step: nil)
      }
      for i in start.indices { guess[i] = start[i] + h * velocity[i] }
    }
  }

  /// Replaces `velocity` by `(q₁ − q₀)/h` and `change` by the difference from the old velocity,
  /// or by 0 if the step does not continue the one before.
  @inlinable
  static func updateVelocity(
    _ velocity: inout [Double], change: inout [Double], from q0: [Double], to q1: [Double],
    stepSize h: Double, continuing: Bool
  ) {
    var v = velocity.mutableSpan
    var dv = change.mutableSpan
    for i in q0.indices {
      let next = (q1[i] - q0[i]) / h
      dv[i] = continuing ? next - v[i] : 0
      v[i] = next
    }
  }

  /// `−D₁L_d(q_k, q₁) − f_d⁻(q_k, q₁) − p_k` (no `f_d⁻` without forces).
  @inlinable
  mutating func residual(at q1: [Double], into residual: inout [Double]) {
    lagrangian.momentumAtStart(from: start, to: q1, into: &residual)
    if forced != nil {
      forced?.subtractStartForce(
        from: start, to: q1, stepSize: lagrangian.stepSize, from: &residual)
    }
    for i in startMomentum.indices { residual[i] -= startMomentum[i] }
  }

  /// `∂(−D₁L_d − f_d⁻)/∂q₁` at `(q_k, q₁)`.
  @inlinable
  mutating func jacobian(at q1: [Double], into jacobian: inout Matrix) {
    lagrangian.momentumAtStartJacobian(from: start, to: q1, into: &jacobian)
    if forced != nil {
      forced?.subtractStartForceJacobian(
        from: start, to: q1, stepSize: lagrangian.stepSize, from: &jacobian)
    }
  }

  /// Both, from one evaluation.
  @inlinable
  mutating func residualAndJacobian(
    at q1: [Double], residual: inout [Double], jacobian: inout Matrix
  ) {
    lagrangian.momentumAtStartAndJacobian(
      from: start, to: q1, into: &residual, jacobian: &jacobian)
    if forced != nil {
      let h = lagrangian.stepSize
      forced?.subtractStartForce(from: start, to: q1, stepSize: h, from: &residual)
      forced?.subtractStartForceJacobian(from: start, to: q1, stepSize: h, from: &jacobian)
    }
    var r = residual.mutableSpan
    for i in startMomentum.indices { r[i] -= startMomentum[i] }
  }

  /// Evaluates `p_{k+1} = D₂L_d(q_k, q_{k+1}) + f_d⁺` at the root `end` = `q_{k+1}`, writes
  /// `(q_{k+1}, p_{k+1})` into `state` and keeps it as the next warm start.
  @inlinable
  mutating func finish(at end: [Double], into state: inout PhaseState) throws(IntegrationError) {
    lagrangian.momentumAtEnd(from: start, to: end, into: &endMomentum)
    if forced != nil {
      forced?.addEndForce(
        from: start, to: end, stepSize: lagrangian.stepSize, to: &endMomentum)
    }
    guard end.allSatisfy(\.isFinite), endMomentum.allSatisfy(\.isFinite) else {
      throw .nonFiniteState(step: nil)
    }
    let h = lagrangian.stepSize
    copyEntries(end, into: &state.q)
    copyEntries(endMomentum, into: &state.p)
    // The warm start's arrays are reused (in place: taken out of the optional first).
    var warm = warmStart ?? (start, start, start, start)
    warmStart = nil
    copyEntries(end, into: &warm.position)
    copyEntries(endMomentum, into: &warm.momentum)
    Self.updateVelocity(
      &warm.velocity, change: &warm.velocityChange, from: start, to: end, stepSize: h,
      continuing: continues)
    warmStart = warm
  }
}
