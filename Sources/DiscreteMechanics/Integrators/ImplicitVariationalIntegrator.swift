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
/// The implicit equation is solved by ``rootFinder``: Newton's method in GSL's multiroot framework
/// (the solver type "vinkit-newton", see ``RootFindingWorkspace``) with the analytic Jacobian ``DiscreteLagrangian/momentumAtStartJacobian(from:to:into:)``, falling
/// back to `hybridsj`. Newton is warm-started at `q_k + h v_{k−1}`, with the previous step's
/// velocity `v_{k−1} = (q_k − q_{k−1})/h`, when the state is the one this integrator produced last;
/// otherwise at the explicit Euler guess `q_k + h M(q_k)⁻¹ p_k`. The default root finder iterates
/// until the correction is at round-off, so that the discrete momentum maps are conserved to
/// round-off; a looser ``RootFinder/residualTolerance`` τ changes a conserved momentum map by at
/// most about τ |ξ| per step.
///
/// The integrator keeps a workspace (GSL solvers, the buffers of the residual and Jacobian, the
/// warm start), so that after the first step a step allocates nothing, in Swift or in GSL, when
/// the system's `into:` matrices allocate nothing (``DoublePendulum``, the constant-mass systems)
/// and the caller's state arrays are not shared. A copy of the integrator gets a workspace of its
/// own when it first steps.
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
  public private(set) var lastStepIterations = 0
  /// The solver iterations summed over all steps taken.
  public private(set) var newtonIterations = 0
  /// The number of successful steps taken.
  public private(set) var stepsTaken = 0

  private var workspace: ImplicitStepWorkspace<Lagrangian>

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
      lastStepIterations = error.iterations
      throw .rootFindingFailed(step: nil, error)
    }
    lastStepIterations = solution.iterations

    try workspace.step.finish(at: workspace.end, into: &state)
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

/// The workspace of an ``ImplicitVariationalIntegrator``, allocated once: the GSL root-finding
/// workspace, the guess and then root `q_{k+1}`, and the rest of the step.
///
/// As ``RootFindingEquations`` it is the implicit equation `−D₁L_d(q_k, q₁) − p_k = 0` in q₁.
/// Each access to a class's stored property is checked for exclusivity at run time, so a
/// callback makes one access, to ``step``; ``end`` is apart because the root finder writes it
/// while the callbacks read ``step``.
private final class ImplicitStepWorkspace<Lagrangian: DiscreteLagrangian>: RootFindingEquations {
  let rootFinding: RootFindingWorkspace
  /// The initial guess for `q_{k+1}`, then `q_{k+1}`.
  var end: [Double]
  var step: ImplicitStep<Lagrangian>

  var dimension: Int { rootFinding.dimension }

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
  func copy() throws(IntegrationError) -> ImplicitStepWorkspace {
    let copy = try ImplicitStepWorkspace(step.lagrangian)
    copy.step.warmStart = step.warmStart
    return copy
  }

  func residual(at q1: [Double], into residual: inout [Double]) {
    step.residual(at: q1, into: &residual)
  }

  func jacobian(at q1: [Double], into jacobian: inout Matrix) {
    step.jacobian(at: q1, into: &jacobian)
  }
}

/// One step of an ``ImplicitVariationalIntegrator`` apart from the root finding: the discrete
/// Lagrangian with its buffers, `(q_k, p_k)`, `p_{k+1}` and the warm start.
private struct ImplicitStep<Lagrangian: DiscreteLagrangian> {
  var lagrangian: Lagrangian
  /// `q_k` and `p_k`.
  var start: [Double]
  var startMomentum: [Double]
  /// `p_{k+1}`.
  var endMomentum: [Double]
  /// The end `(q_{k+1}, p_{k+1})` of the last step and its velocity `(q_{k+1} − q_k)/h`.
  var warmStart: (position: [Double], momentum: [Double], velocity: [Double])?

  init(_ lagrangian: Lagrangian) {
    self.lagrangian = lagrangian
    start = Array(repeating: 0, count: lagrangian.system.dimension)
    startMomentum = start
    endMomentum = start
  }

  /// Loads `(q_k, p_k)` and writes the initial guess `q_k + h v` into `guess`: v is the last
  /// step's velocity when `state` is where it ended, else `M(q_k)⁻¹ p_k`.
  mutating func start(from state: PhaseState, guess: inout [Double]) throws(IntegrationError) {
    let h = lagrangian.stepSize
    for i in start.indices {
      start[i] = state.q[i]
      startMomentum[i] = state.p[i]
    }
    if let warmStart, warmStart.position == state.q, warmStart.momentum == state.p {
      for i in start.indices { guess[i] = start[i] + h * warmStart.velocity[i] }
    } else {
      guard let velocity = lagrangian.system.velocity(state) else {
        throw .singularMassMatrix(step: nil)
      }
      for i in start.indices { guess[i] = start[i] + h * velocity[i] }
    }
  }

  /// `−D₁L_d(q_k, q₁) − p_k`.
  mutating func residual(at q1: [Double], into residual: inout [Double]) {
    lagrangian.momentumAtStart(from: start, to: q1, into: &residual)
    for i in startMomentum.indices { residual[i] -= startMomentum[i] }
  }

  /// `∂(−D₁L_d)/∂q₁` at `(q_k, q₁)`.
  mutating func jacobian(at q1: [Double], into jacobian: inout Matrix) {
    lagrangian.momentumAtStartJacobian(from: start, to: q1, into: &jacobian)
  }

  /// Evaluates `p_{k+1} = D₂L_d(q_k, q_{k+1})` at the root `end` = `q_{k+1}`, writes
  /// `(q_{k+1}, p_{k+1})` into `state` and keeps it as the next warm start.
  mutating func finish(at end: [Double], into state: inout PhaseState) throws(IntegrationError) {
    lagrangian.momentumAtEnd(from: start, to: end, into: &endMomentum)
    guard end.allSatisfy(\.isFinite), endMomentum.allSatisfy(\.isFinite) else {
      throw .nonFiniteState(step: nil)
    }
    let h = lagrangian.stepSize
    // The warm start's arrays are reused (in place: taken out of the optional first).
    var warm = warmStart ?? (start, start, start)
    warmStart = nil
    for i in start.indices {
      state.q[i] = end[i]
      state.p[i] = endMomentum[i]
      warm.position[i] = end[i]
      warm.momentum[i] = endMomentum[i]
      warm.velocity[i] = (end[i] - start[i]) / h
    }
    warmStart = warm
  }
}
