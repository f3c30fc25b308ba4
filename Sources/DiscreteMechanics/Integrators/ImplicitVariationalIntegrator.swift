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
/// A step whose implicit equation cannot be solved throws
/// ``IntegrationError/rootFindingFailed(step:_:)`` with the residual and the iteration count (the
/// state is left unchanged); ``Integrator/integrate(from:steps:stride:)`` fills in the step number.
public struct ImplicitVariationalIntegrator<Lagrangian: DiscreteLagrangian>: Integrator {
  /// The continuous system.
  public typealias System = Lagrangian.System

  /// The discrete Lagrangian whose DEL equations are solved.
  public let discreteLagrangian: Lagrangian
  /// The solver of the implicit equation (tolerances and iteration cap are configurable).
  public var rootFinder: RootFinder

  /// The solver iterations of the last step, failed or not (Newton's, plus `hybridsj`'s when the
  /// fallback ran).
  public private(set) var lastStepIterations = 0
  /// The solver iterations summed over all steps taken.
  public private(set) var newtonIterations = 0
  /// The number of successful steps taken.
  public private(set) var stepsTaken = 0

  /// The end `(q_{k+1}, p_{k+1})` of the last step and its velocity `(q_{k+1} − q_k)/h`.
  private var warmStart: (state: PhaseState, velocity: [Double])?

  /// - Throws: ``IntegrationError/invalidStepSize(_:)`` unless `stepSize` is positive and finite;
  ///   ``IntegrationError/invalidParameter(name:value:requirement:)`` for a root finder with a
  ///   non-positive tolerance or an iteration cap below 1.
  public init(system: System, stepSize: Double, rootFinder: RootFinder = RootFinder())
    throws(IntegrationError)
  {
    discreteLagrangian = try Lagrangian(system: system, stepSize: stepSize)
    self.rootFinder = rootFinder
    try Self.validate(rootFinder)
  }

  /// The continuous system.
  public var system: System { discreteLagrangian.system }
  public var stepSize: Double { discreteLagrangian.stepSize }
  public var traits: IntegratorTraits { Lagrangian.traits }

  /// `newtonIterations / stepsTaken` (0 before the first step).
  public var meanNewtonIterations: Double {
    stepsTaken > 0 ? Double(newtonIterations) / Double(stepsTaken) : 0
  }

  /// One step `(q_k, p_k) ↦ (q_{k+1}, p_{k+1})`.
  ///
  /// - Throws: ``IntegrationError/wrongDimension(name:expected:actual:)`` or
  ///   ``IntegrationError/nonFiniteState(step:)`` for a malformed state;
  ///   ``IntegrationError/singularMassMatrix(step:)`` when the Euler guess needs `M(q_k)⁻¹` and
  ///   M(q_k) is singular; ``IntegrationError/rootFindingFailed(step:_:)`` when the implicit
  ///   equation is not solved; ``IntegrationError/nonFiniteState(step:)`` when the new state is
  ///   not finite; ``IntegrationError/invalidParameter(name:value:requirement:)`` for an invalid
  ///   ``rootFinder``.
  public mutating func step(_ state: inout PhaseState) throws(IntegrationError) {
    let n = system.dimension
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

    let guess = try initialGuess(from: state)
    let lagrangian = discreteLagrangian
    let q0 = state.q
    let p0 = state.p
    let solution: RootFindingResult
    do throws(RootFindingError) {
      solution = try rootFinder.solve(
        initialGuess: guess,
        residual: { q1, residual in
          lagrangian.momentumAtStart(from: q0, to: q1, into: &residual)
          for i in 0..<n { residual[i] -= p0[i] }
        },
        jacobian: { q1, jacobian in
          lagrangian.momentumAtStartJacobian(from: q0, to: q1, into: &jacobian)
        })
    } catch {
      lastStepIterations = error.iterations
      throw .rootFindingFailed(step: nil, error)
    }
    lastStepIterations = solution.iterations

    let q1 = solution.root
    var p1 = p0
    lagrangian.momentumAtEnd(from: q0, to: q1, into: &p1)
    guard q1.allSatisfy(\.isFinite), p1.allSatisfy(\.isFinite) else {
      throw .nonFiniteState(step: nil)
    }
    var velocity = q1
    for i in 0..<n { velocity[i] = (q1[i] - q0[i]) / stepSize }
    state = PhaseState(q: q1, p: p1)
    warmStart = (state, velocity)
    newtonIterations += solution.iterations
    stepsTaken += 1
  }

  /// `q_k + h v_{k−1}` when `state` is where the last step ended, else `q_k + h M(q_k)⁻¹ p_k`.
  private func initialGuess(from state: PhaseState) throws(IntegrationError) -> [Double] {
    let velocity: [Double]
    if let warmStart, warmStart.state == state {
      velocity = warmStart.velocity
    } else {
      guard let v = system.velocity(state) else { throw .singularMassMatrix(step: nil) }
      velocity = v
    }
    var guess = state.q
    for i in guess.indices { guess[i] += stepSize * velocity[i] }
    return guess
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
