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
/// The implicit equation is solved by ``rootFinder``: GSL's `gsl_multiroot_fdfsolver_newton` with
/// the analytic Jacobian ``DiscreteLagrangian/momentumAtStartJacobian(from:to:into:)``, falling
/// back to `hybridsj`. Newton is warm-started at `q_k + h v_{k−1}`, with the previous step's
/// velocity `v_{k−1} = (q_k − q_{k−1})/h`, when the state is the one this integrator produced last;
/// otherwise at the explicit Euler guess `q_k + h M(q_k)⁻¹ p_k`. The default root finder iterates
/// until the correction is at round-off, so that the discrete momentum maps are conserved to
/// round-off; a looser ``RootFinder/residualTolerance`` τ changes a conserved momentum map by at
/// most about τ |ξ| per step.
///
/// The integrator keeps a workspace (GSL solvers, the buffers of the residual and Jacobian, the
/// warm start), so that after the first step a step allocates nothing when the system's `into:`
/// matrices allocate nothing (``DoublePendulum``, the constant-mass systems) and the caller's
/// state arrays are not shared. A copy of the integrator gets a workspace of its own when it
/// first steps.
///
/// A step whose implicit equation cannot be solved throws
/// ``IntegrationError/rootFindingFailed(step:_:)`` with the residual and the iteration count (the
/// state is left unchanged); ``Integrator/integrate(from:steps:stride:)`` fills in the step number.
public struct ImplicitVariationalIntegrator<Lagrangian: DiscreteLagrangian>: Integrator {
  /// The continuous system.
  public typealias System = Lagrangian.System

  /// The solver of the implicit equation (tolerances and iteration cap are configurable).
  public var rootFinder: RootFinder

  /// The solver iterations of the last step, failed or not (Newton's, plus `hybridsj`'s when the
  /// fallback ran).
  public private(set) var lastStepIterations = 0
  /// The solver iterations summed over all steps taken.
  public private(set) var newtonIterations = 0
  /// The number of successful steps taken.
  public private(set) var stepsTaken = 0

  private var workspace: ImplicitStepWorkspace<Lagrangian>

  /// - Throws: ``IntegrationError/invalidStepSize(_:)`` unless `stepSize` is positive and finite;
  ///   ``IntegrationError/invalidParameter(name:value:requirement:)`` for a root finder with a
  ///   non-positive tolerance or an iteration cap below 1, or a system of dimension below 1.
  public init(system: System, stepSize: Double, rootFinder: RootFinder = RootFinder())
    throws(IntegrationError)
  {
    workspace = try ImplicitStepWorkspace(Lagrangian(system: system, stepSize: stepSize))
    self.rootFinder = rootFinder
    try Self.validate(rootFinder)
  }

  /// The discrete Lagrangian whose DEL equations are solved.
  public var discreteLagrangian: Lagrangian { workspace.lagrangian }
  /// The continuous system.
  public var system: System { workspace.lagrangian.system }
  public var stepSize: Double { workspace.lagrangian.stepSize }
  public var traits: IntegratorTraits { Lagrangian.traits }

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

    try workspace.start(from: state)
    let solution: RootFindingStatistics
    do throws(RootFindingError) {
      solution = try rootFinder.solve(
        &workspace.end, in: workspace.rootFinding, equations: workspace)
    } catch {
      lastStepIterations = error.iterations
      throw .rootFindingFailed(step: nil, error)
    }
    lastStepIterations = solution.iterations

    try workspace.finish(into: &state)
    newtonIterations += solution.iterations
    stepsTaken += 1
  }

  /// Throws unless the tolerances are positive (the step tolerance may be 0) and finite and the
  /// iteration cap is at least 1.
  private static func validate(_ rootFinder: RootFinder) throws(IntegrationError) {
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

/// The state of one step of an ``ImplicitVariationalIntegrator`` and the buffers it works in,
/// allocated once: the discrete Lagrangian with its buffers, the GSL root-finding workspace,
/// `(q_k, p_k)`, the guess and then root `q_{k+1}`, `p_{k+1}`, and the warm start.
///
/// As ``RootFindingEquations`` it is the implicit equation `−D₁L_d(q_k, q₁) − p_k = 0` in q₁.
private final class ImplicitStepWorkspace<Lagrangian: DiscreteLagrangian>: RootFindingEquations {
  var lagrangian: Lagrangian
  let rootFinding: RootFindingWorkspace
  /// `q_k` and `p_k`.
  var start: [Double]
  var startMomentum: [Double]
  /// The initial guess for `q_{k+1}`, then `q_{k+1}`.
  var end: [Double]
  /// `p_{k+1}`.
  var endMomentum: [Double]
  /// The end `(q_{k+1}, p_{k+1})` of the last step and its velocity `(q_{k+1} − q_k)/h`, valid
  /// when `hasWarmStart`.
  var warmStartPosition: [Double]
  var warmStartMomentum: [Double]
  var warmStartVelocity: [Double]
  var hasWarmStart = false

  var dimension: Int { rootFinding.dimension }

  init(_ lagrangian: Lagrangian) throws(IntegrationError) {
    let n = lagrangian.system.dimension
    do throws(RootFindingError) {
      rootFinding = try RootFindingWorkspace(dimension: n)
    } catch {
      throw .invalidParameter(
        name: "dimension", value: Double(n), requirement: "must be at least 1")
    }
    self.lagrangian = lagrangian
    start = Array(repeating: 0, count: n)
    startMomentum = start
    end = start
    endMomentum = start
    warmStartPosition = start
    warmStartMomentum = start
    warmStartVelocity = start
  }

  /// A workspace with the same discrete Lagrangian and warm start and buffers of its own.
  func copy() throws(IntegrationError) -> ImplicitStepWorkspace {
    let copy = try ImplicitStepWorkspace(lagrangian)
    copy.warmStartPosition = warmStartPosition
    copy.warmStartMomentum = warmStartMomentum
    copy.warmStartVelocity = warmStartVelocity
    copy.hasWarmStart = hasWarmStart
    return copy
  }

  /// Loads `(q_k, p_k)` and the initial guess `q_k + h v`: v is the last step's velocity when
  /// `state` is where it ended, else `M(q_k)⁻¹ p_k`.
  func start(from state: PhaseState) throws(IntegrationError) {
    let h = lagrangian.stepSize
    for i in 0..<dimension {
      start[i] = state.q[i]
      startMomentum[i] = state.p[i]
    }
    if hasWarmStart && warmStartPosition == state.q && warmStartMomentum == state.p {
      for i in 0..<dimension { end[i] = start[i] + h * warmStartVelocity[i] }
    } else {
      guard let velocity = lagrangian.system.velocity(state) else {
        throw .singularMassMatrix(step: nil)
      }
      for i in 0..<dimension { end[i] = start[i] + h * velocity[i] }
    }
  }

  func residual(at q1: [Double], into residual: inout [Double]) {
    lagrangian.momentumAtStart(from: start, to: q1, into: &residual)
    // One access to the stored property, not one per entry (each is checked at run time).
    startMomentum.withUnsafeBufferPointer { p0 in
      for i in p0.indices { residual[i] -= p0[i] }
    }
  }

  func jacobian(at q1: [Double], into jacobian: inout Matrix) {
    lagrangian.momentumAtStartJacobian(from: start, to: q1, into: &jacobian)
  }

  /// Evaluates `p_{k+1} = D₂L_d(q_k, q_{k+1})` at the root `q_{k+1}` in ``end``, writes
  /// `(q_{k+1}, p_{k+1})` into `state` and keeps it as the next warm start.
  func finish(into state: inout PhaseState) throws(IntegrationError) {
    lagrangian.momentumAtEnd(from: start, to: end, into: &endMomentum)
    guard end.allSatisfy(\.isFinite), endMomentum.allSatisfy(\.isFinite) else {
      throw .nonFiniteState(step: nil)
    }
    let h = lagrangian.stepSize
    for i in 0..<dimension {
      state.q[i] = end[i]
      state.p[i] = endMomentum[i]
      warmStartPosition[i] = end[i]
      warmStartMomentum[i] = endMomentum[i]
      warmStartVelocity[i] = (end[i] - start[i]) / h
    }
    hasWarmStart = true
  }
}
