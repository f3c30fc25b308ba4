import DiscreteMechanics
import Foundation
import Manifolds
import _Differentiation

/// VIN-mq: a variational integrator network with a learned configuration-dependent mass matrix
/// ``ConfigurationMassMatrix`` and a learned potential, stepped by the implicit variational
/// midpoint rule (Marsden and West 2001, §2.2.3), on positions only. From two configurations
/// `(q₀, q₁)`: `p₁ = D₂L_d(q₀, q₁)`, then for k ≥ 1
///
///     solve R(q_{k+1}) = −D₁L_d(q_k, q_{k+1}) − p_k = 0,    p_{k+1} = D₂L_d(q_k, q_{k+1}),
///
/// with the midpoint `L_d(q₀, q₁) = h L((q₀ + q₁)/2, (q₁ − q₀)/h)`.
///
/// Training rolls all windows out together (``rollout(from:steps:workspace:)``): each Newton
/// iteration evaluates the mass network and the potential, with the second derivatives of the
/// Newton matrix, for every window still iterating in one batched pass, and solves each
/// window's n×n system; the Legendre transforms and Newton matrix are DiscreteMechanics'
/// `MidpointLegendreTransform`, and Newton stops by `VariationalMidpoint`'s rule, so the
/// rollout is DiscreteMechanics' `VariationalMidpoint` on the ``LearnedMassSystem`` (to
/// round-off; ``forecast(position:velocity:steps:)`` runs that integrator). A window whose
/// Newton iteration fails (non-finite, singular, or 50 iterations without converging) is NaN
/// from that step on, so that training stops on the non-finite loss and says so; the
/// integrator of forecasts falls back to GSL's `hybridsj` instead. The gradient through
/// the implicit solves comes from the implicit function theorem: for the cotangent `q̄_{k+1}` of
/// the root, `λ = (∂R/∂q_{k+1})⁻ᵀ q̄_{k+1}` and then `θ̄ −= λᵀ ∂R/∂θ`, `q̄_k −= λᵀ ∂R/∂q_k`,
/// `p̄_k += λ`, with hand-written pullbacks of the mass network and the potential's gradient
/// (exact second derivatives), batched over the windows in the same way.
///
/// **Forces.** A VIN-mq of a driven or damped system learns ``forces`` `F = B(q)u − D(q)q̇`
/// (``ConstantForce``, or ``ConfigurationForce`` when B or D depends on q) and steps by the
/// discrete Lagrange–d'Alembert principle with the midpoint rule's discrete forces
/// `f_d^± = (h/2) F(q̄_k, v_k, u_k)` at the midpoint `q̄_k = (q_k + q_{k+1})/2`,
/// `v_k = (q_{k+1} − q_k)/h`, u held over the step (Marsden and West 2001, §3):
///
///     p₁ = D₂L_d(q₀, q₁) + f_d⁺,   solve −D₁L_d(q_k, q_{k+1}) − f_d⁻ = p_k,   p_{k+1} = D₂L_d + f_d⁺,
///
/// which is DiscreteMechanics' forced `VariationalMidpoint` with the learned forces
/// (``learnedForces``; ``rollout(from:inputs:steps:workspace:)``,
/// ``forecast(from:inputs:steps:)``; `MidpointRollout` gives the adjoint's force terms). With
/// ``NoForce`` (``init(potential:mass:stepSize:)``) the step is the one above.
///
/// **Velocities.** A VIN-mq that ``observesVelocities`` is trained on rows `(q_k, q̇_k)`, as
/// VIN-VV is: each window starts from its first observed state `(q₀, q̇₀)` with
/// `p₀ = M(q₀) q̇₀`, every step is the implicit one, and the predicted velocities are the
/// learned Legendre transform's `q̇_k = M(q_k)⁻¹ p_k`, those of its forecasts. Without
/// velocities (the default) the model sees positions only and starts from `(q₀, q₁)`.
public struct VINMq<Potential: LearnablePotential, Forces: LearnableForce>: PotentialMassModel {
  public var potential: Potential
  public var mass: ConfigurationMassMatrix
  public var forces: Forces
  @noDerivative public let stepSize: Double
  /// Whether the model is trained on positions and velocities `(q, q̇)` rather than positions.
  @noDerivative public let observesVelocities: Bool

  /// A VIN-mq driven and damped by `forces`, trained on positions and velocities when
  /// `observesVelocities`.
  /// - Throws: ``LearningError/dimensionMismatch(name:expected:actual:)`` when the potential,
  ///   the mass and the forces disagree on n; ``LearningError/invalidConfiguration(name:value:requirement:)``
  ///   for a step size that is not positive and finite.
  public init(
    potential: Potential, mass: ConfigurationMassMatrix, forces: Forces, stepSize: Double,
    observesVelocities: Bool = false
  ) throws(LearningError) {
    _ = try LearnedMassSystem(potential: potential, mass: mass)
    try ModelLimits.checkStepSize(stepSize, field: "step size")
    try forces.checkDimension(potential.dimension)
    self.potential = potential
    self.mass = mass
    self.forces = forces
    self.stepSize = stepSize
    self.observesVelocities = observesVelocities
  }

  public var kind: ModelKind { .vinMq }
  public var configurationDimension: Int { potential.dimension }
  public var initialStateDimension: Int { 2 * configurationDimension }

  public func flatten(_ tangent: Self.TangentVector) -> [Double] {
    potential.flatten(tangent.potential) + mass.flatten(tangent.mass)
      + forces.flatten(tangent.forces)
  }

  /// The learned system that `VariationalMidpoint` steps.
  public var system: LearnedMassSystem<Potential> {
    LearnedMassSystem(unchecked: potential, mass)
  }

  /// `(q₀, q₁)`, the first two observed positions, or `(q₀, q̇₀)`, the first observed state
  /// (the first 2n observed numbers either way).
  public func naiveInitialState(_ observations: [Double]) -> [Double] {
    Array(observations[..<(2 * configurationDimension)])
  }

  /// Predicted `q_k` (or `(q_k, q̇_k)`), k = 0…`steps`, for B windows `(q₀, q₁)` (or
  /// `(q₀, q̇₀)`) back to back (window-major).
  @differentiable(reverse,wrt: (self, initial))
  public func rollout(from initial: [Double], steps: Int) -> [Double] {
    rollout(from: initial, steps: steps, workspace: RolloutWorkspace())
  }

  /// ``rollout(from:steps:)`` in the memory of `workspace` (a forced model's with its inputs
  /// at zero).
  @differentiable(reverse,wrt: (self, initial))
  public func rollout(from initial: [Double], steps: Int, workspace: RolloutWorkspace)
    -> [Double]
  {
    rollout(from: initial, inputs: [], steps: steps, workspace: workspace)
  }

  /// The rollout driven by `inputs` (window b's `u_0, …, u_{K−1}` back to back, `u_0` that of
  /// `p₁`; empty: zero).
  @differentiable(reverse,wrt: (self, initial))
  public func rollout(
    from initial: [Double], inputs: [Double], steps: Int, workspace: RolloutWorkspace
  ) -> [Double] {
    rolloutForward(initial, inputs, steps, workspace).output
  }

  /// The window-major output and the rollout that produced it.
  func rolloutForward(
    _ initial: [Double], _ inputs: [Double], _ steps: Int, _ workspace: RolloutWorkspace
  ) -> (output: [Double], dynamics: MidpointRollout<Potential, Forces>) {
    let batch = initial.count / initialStateDimension
    var dynamics = MidpointRollout(
      potential: potential, mass: ConfigurationMassNetwork(mass), stepSize: stepSize,
      batch: batch, steps: steps, workspace: workspace, learnedForces: forces,
      forces: forces.vanishes
        ? nil
        : HeldForces(
          forces, dimension: configurationDimension, steps: steps, inputs: inputs, slots: batch,
          derivatives: true, workspace: workspace),
      observesVelocities: observesVelocities)
    dynamics.run(from: initial)
    return (dynamics.output(), dynamics)
  }

  @derivative(of: rollout(from:inputs:steps:workspace:), wrt: (self, initial))
  public func vjpRollout(
    from initial: [Double], inputs: [Double], steps: Int, workspace: RolloutWorkspace
  ) -> (
    value: [Double],
    pullback: ([Double].TangentVector) -> (Self.TangentVector, [Double].TangentVector)
  ) {
    let (output, dynamics) = rolloutForward(initial, inputs, steps, workspace)
    return (
      output,
      { cotangent in
        let bar = dynamics.adjoint([Double](dense: cotangent, count: output.count))
        return (
          Self.TangentVector(
            potential: bar.potential,
            mass: ConfigurationMassMatrix.TangentVector(parameters: .init(bar.mass)),
            forces: bar.forces),
          .init(bar.initial)
        )
      }
    )
  }

  /// A forecast from `(q₀, q̇₀)` by `VariationalMidpoint` with `p₀ = M(q₀) q̇₀`, velocities
  /// `M(q)⁻¹ p` and the learned energy `½ pᵀ M(q)⁻¹ p + V(q)` (a forced model's with its inputs
  /// at zero).
  public func forecast(from initial: MechanicalState, steps: Int) throws(LearningError)
    -> ForecastTrajectory
  {
    try forecast(
      from: initial,
      inputs: Array(
        repeating: Array(repeating: 0, count: inputCount), count: inputCount > 0 ? steps : 0),
      steps: steps)
  }

  /// The forecast of ``forecast(from:steps:)`` driven by `inputs` (`u_k` held over step k): the
  /// forced `VariationalMidpoint` with the ``learnedForces``.
  /// - Throws: as ``forecast(from:steps:)``; as ``RolloutModel/checkForecastInputs(_:steps:)``.
  public func forecast(from initial: MechanicalState, inputs: [[Double]], steps: Int)
    throws(LearningError) -> ForecastTrajectory
  {
    try checkForecastInputs(inputs, steps: steps)
    let n = configurationDimension
    let (q0, v0) = try initial.coordinates(dimension: n, model: kind)
    let system = self.system
    do throws(IntegrationError) {
      let start = PhaseState(q: q0, p: system.massMatrix(at: q0) * v0)
      let trajectory: Trajectory<PhaseState>
      if forces.vanishes {
        var integrator = try VariationalMidpoint(system: system, stepSize: stepSize)
        trajectory = try integrator.integrate(from: start, steps: steps)
      } else {
        var integrator = try VariationalMidpoint(
          system: system, stepSize: stepSize, forces: try learnedForces)
        var state = start
        var states = [state]
        for k in 0..<steps {
          do throws(IntegrationError) {
            try integrator.holdInput(inputCount > 0 ? inputs[k] : [])
            try integrator.step(&state)
          } catch {
            throw error.at(step: k)
          }
          states.append(state)
        }
        trajectory = Trajectory(times: states.indices.map { Double($0) * stepSize }, states: states)
      }
      let velocities = trajectory.states.map { state in
        system.massMatrix(at: state.q).solve(state.p) ?? Array(repeating: .nan, count: n)
      }
      let energies = zip(trajectory.states, velocities).map { state, v in
        0.5 * zip(state.p, v).reduce(0) { $0 + $1.0 * $1.1 } + system.potential(at: state.q)
      }
      return .coordinates(
        Forecast(
          times: trajectory.times, positions: trajectory.states.map(\.q), velocities: velocities,
          energies: energies))
    } catch {
      throw .integrationFailed(error)
    }
  }

  /// The learned forces as a DiscreteMechanics `GeneralisedForce`: constant B and D as
  /// `ActuatorsAndDamping`, forces that depend on q as ``LearnedGeneralisedForce``.
  /// - Throws: `IntegrationError.invalidParameter` if a constant D is not
  ///   symmetric positive semi-definite to its tolerance (`D = LLᵀ` is by construction).
  public var learnedForces: any GeneralisedForce {
    get throws(IntegrationError) {
      let (n, m) = (configurationDimension, inputCount)
      if forces.dependsOnConfiguration { return LearnedGeneralisedForce(forces) }
      var b = Matrix.zeros(rows: n, columns: m)
      var d = Matrix.zeros(rows: n, columns: n)
      if !forces.vanishes {
        let origin = Array(repeating: 0.0, count: n)
        b.storage = forces.inputMatrix(at: origin)
        d.storage = forces.dissipation(at: origin)
      }
      return try ActuatorsAndDamping(inputMatrix: b, dissipation: d)
    }
  }
}

extension VINMq where Forces == NoForce {
  /// - Throws: ``LearningError/dimensionMismatch(name:expected:actual:)`` when potential and
  ///   mass dimensions differ; ``LearningError/invalidConfiguration(name:value:requirement:)``
  ///   for a step size that is not positive and finite.
  public init(
    potential: Potential, mass: ConfigurationMassMatrix, stepSize: Double,
    observesVelocities: Bool = false
  ) throws(LearningError) {
    try self.init(
      potential: potential, mass: mass, forces: NoForce(), stepSize: stepSize,
      observesVelocities: observesVelocities)
  }
}
