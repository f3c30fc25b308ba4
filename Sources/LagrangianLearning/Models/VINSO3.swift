import DiscreteMechanics
import Manifolds
import _Differentiation

/// VIN-SO(3): a variational integrator network on the rotation group, stepped by
/// DiscreteMechanics' `SO3LGVI` (Lee, Leok, McClamroch, CMAME 196, 2007) on the
/// ``LearnedRigidBody`` with learned inertia and potential:
///
///     h (Π_k + (h/2) M_k)^ = F_k J_d − J_d F_kᵀ,   R_{k+1} = R_k F_k,
///     Π_{k+1} = F_kᵀ Π_k + (h/2) F_kᵀ M_k + (h/2) M_{k+1},
///
/// with the learned inertia ``RigidBodyInertia`` `J = LLᵀ + εI` (the model's mass matrix, as
/// in every ``PotentialMassModel``) and a ``LearnableRigidBodyPotential`` U with its moment M(R), as every VIN takes its
/// potential: ``RigidBodyGravityPotential`` `U(R) = e_zᵀRc`, `M(R) = (Rᵀe_z) × c` (c
/// initialised at 0), ``RigidBodyMLPPotential`` `U = f_θ(R)` on the nine entries of R with
/// `Ŝ(M) = GᵀR − RᵀG`, `G = ∂U/∂R` its input gradient, or your own.
///
/// **State.** The model's state is an attitude R ∈ SO(3) and a body angular velocity Ω
/// (``ObservationLayout/rigidBody``; the configuration dimension is 3): it forecasts from a
/// ``MechanicalState/rigidBody(attitude:angularVelocity:)``
/// (``RolloutModel/forecast(from:steps:)``, or
/// ``RolloutModel/forecast(attitude:angularVelocity:steps:)``) and refuses coordinates. It
/// learns from trajectories of that layout, read with ``ObservedTrajectory/init(csv:)`` from
/// the SO(3) layout of `vin simulate` or built with
/// ``ObservedTrajectory/init(times:attitudes:angularVelocities:)``, whose observation rows are
/// the 12-vectors `(R11, R12, …, R33, Ω1, Ω2, Ω3)` (attitude row by row, body angular
/// velocity); a rollout (``rollout(from:steps:)``) starts from such a row and predicts such
/// rows.
///
/// **Inferred initial states** (``InitialStateInference/learned``) stay on SO(3): a window whose
/// first observation is `(R_obs, Ω_obs)` starts at `R₀ = R_obs exp(ξ̂)`, `Ω₀ = Ω_obs + δ`, with
/// `(ξ, δ) ∈ R⁶` learned from 0; the pullback is `ξ̄ = J_r(ξ)ᵀ ax(R₀ᵀR̄₀)`, `δ̄ = Ω̄₀`
/// (``initialStates(startParameters:naive:)``).
///
/// **Gradient.** The rollout's pullback is hand-written: the discrete adjoint of the three
/// equations above in the ambient coordinates of R, with the implicit step differentiated by
/// the implicit function theorem. With `G(f; J, g) = a J f + b f × Jf − g = 0`, `F = exp(f̂)`,
/// `g = h(Π_k + (h/2)M_k)`, a cotangent f̄ gives `λ = DG⁻ᵀ f̄`, `ḡ = λ` and
/// `J̄ −= ½ tr(J̄_d) I − J̄_d` with `J̄_d = ½(Fᵀλ̂ − λ̂F)` (from `Ĝ + ĝ = FJ_d − J_dFᵀ`);
/// `f̄ = J_r(f)ᵀ ax(FᵀF̄)` for `dF = F (J_r df)^`, where `ax(A)` is the vector with
/// `⟨A, ŵ⟩ = ax(A)·w`. The moment's pullback is the potential's own
/// (``LearnableRigidBodyPotential/pullbackMoment(at:cotangent:attitudeBar:parameterBar:)``).
///
/// **Forces.** A VIN-SO(3) of a driven or damped body learns ``forces``: a body torque
/// `τ = B u − D Ω` in the body frame (``ConstantForce`` of dimension 3: B 3×m, `D = LLᵀ`), or
/// `τ = B(R) u − D(R) Ω` with B or `D = L(R)L(R)ᵀ` networks of the attitude's nine entries
/// (``ConfigurationForce`` with ``ForceFeatures/attitude``); the ``torque``. It enters the step
/// by the discrete Lagrange–d'Alembert principle as in DiscreteMechanics' forced `SO3LGVI`
/// (Marsden and West 2001, §3), with u held over each step, the torque evaluated at R_k
/// (`B⁻ = B(R_k)`, `D⁻`) and at R_{k+1} (`B⁺`, `D⁺`), and the damping at the step's discrete
/// angular velocity `ω_k = (sin|f|/|f|) f/h`:
///
///     h (μ₀)^ − (h²/2)(D⁻ ω_k)^ = F_k J_d − J_d F_kᵀ,   μ₀ = Π_k + (h/2)(M_k + B⁻ u_k),
///     Π_{k+1} = F_kᵀ(μ₀ − (h/2) D⁻ ω_k) + (h/2)(M_{k+1} + B⁺ u_k − D⁺ ω_k),
///
/// its rollouts and forecasts driven by the inputs (``rollout(from:inputs:steps:workspace:)``,
/// ``forecast(from:inputs:steps:)``). The implicit equation stays a 3-vector one,
/// `a J f + b f × Jf + a (h/2) D⁻ f = h μ₀`, and the adjoint differentiates it with its damping
/// term, adding B̄, D̄ at both ends, the discrete velocity's cotangent and, for B(R) and D(R),
/// the attitudes' cotangents through the networks (`SO3Rollout`). With ``NoForce``
/// (the default) the step is the one above.
public struct VINSO3<Potential: LearnableRigidBodyPotential, Forces: LearnableForce>:
  PotentialMassModel
{
  /// The learned potential U(R).
  public var potential: Potential
  /// The learned inertia `J = LLᵀ + εI`.
  public var mass: RigidBodyInertia
  /// The learned body torque `τ = B(R) u − D(R) Ω` (``NoForce`` for a conservative body).
  public var forces: Forces
  @noDerivative public let stepSize: Double

  /// A VIN-SO(3) with the potential `potential`, the inertia `mass` and the body torque
  /// `forces`.
  /// - Throws: ``LearningError/invalidConfiguration(name:value:requirement:)`` unless h is
  ///   positive, finite and at most ``ModelLimits/maximumStepSize``; as
  ///   ``LearnedBodyTorque/init(_:)`` unless the forces act on the three body axes (and, when
  ///   they depend on the configuration, see the attitude).
  public init(potential: Potential, mass: RigidBodyInertia, forces: Forces, stepSize: Double)
    throws(LearningError)
  {
    try ModelLimits.checkStepSize(stepSize, field: "step size")
    if !forces.vanishes { _ = try LearnedBodyTorque(forces) }
    self.potential = potential
    self.mass = mass
    self.forces = forces
    self.stepSize = stepSize
  }

  /// A VIN-SO(3) with the potential `potential`, the inertia `J = sI` (s =
  /// `initialInertiaScale`) and the body torque `forces`, with flat `parameters` (the
  /// potential's, then the inertia factor's 6 entries, then the forces') when given.
  /// - Throws: as ``init(potential:mass:forces:stepSize:)`` and ``RigidBodyInertia/init(initialScale:epsilon:factor:)``;
  ///   ``LearningError/dimensionMismatch(name:expected:actual:)`` for a wrong parameter count.
  public init(
    potential: Potential, forces: Forces, stepSize: Double, initialInertiaScale: Double = 1,
    epsilon: Double = 1e-6, parameters: [Double]? = nil
  ) throws(LearningError) {
    try self.init(
      potential: potential,
      mass: RigidBodyInertia(initialScale: initialInertiaScale, epsilon: epsilon),
      forces: forces, stepSize: stepSize)
    if let parameters {
      guard parameters.count == parameterCount else {
        throw .dimensionMismatch(
          name: "VIN-SO(3) parameters", expected: parameterCount, actual: parameters.count)
      }
      try ModelLimits.checkFinite(parameters, field: "VIN-SO(3) parameters")
      flatParameters = parameters
    }
  }

  public var kind: ModelKind { .vinSO3 }
  /// The rigid body's `(R, Ω)`.
  public var observationLayout: ObservationLayout { .rigidBody }
  /// 3, the dimension of SO(3).
  public var configurationDimension: Int { 3 }
  public var observesVelocities: Bool { true }
  public var initialStateDimension: Int { 12 }

  public func flatten(_ tangent: Self.TangentVector) -> [Double] {
    potential.flatten(tangent.potential) + mass.flatten(tangent.mass)
      + forces.flatten(tangent.forces)
  }

  /// The learned inertia `J = LLᵀ + εI`.
  public var inertia: Matrix3 { mass.matrix }

  /// The learned body that `SO3LGVI` steps.
  public var body: LearnedRigidBody<Potential> {
    LearnedRigidBody(inertia: inertia, potential: potential)
  }

  /// The learned body torque that the forced `SO3LGVI` applies to ``body``, or nil when the
  /// forces vanish (the conservative step).
  public var torque: LearnedBodyTorque<Forces>? {
    forces.vanishes ? nil : try? LearnedBodyTorque(forces)
  }

  public func naiveInitialState(_ observations: [Double]) -> [Double] {
    Array(observations[..<12])
  }

  /// `(ξ, δ)`: the right perturbation of the observed attitude and the shift of Ω.
  public var startParameterDimension: Int { 6 }

  /// `(ξ, δ) = 0`: the inferred start begins at the observation.
  public func initialStartParameters(naive: [Double]) -> [Double] {
    Array(repeating: 0, count: 6 * (naive.count / 12))
  }

  /// `R₀ = R_obs exp(ξ̂)`, `Ω₀ = Ω_obs + δ` for every block `(ξ, δ)` of `parameters` and 12-entry
  /// block `(R_obs, Ω_obs)` of `naive`.
  @differentiable(reverse,wrt: parameters)
  public func initialStates(startParameters parameters: [Double], naive: [Double]) -> [Double] {
    perturbedStates(parameters, naive).states
  }

  /// The initial states and each block's `(R₀, J_r(ξ))` for the pullback.
  private func perturbedStates(_ parameters: [Double], _ naive: [Double]) -> (
    states: [Double], attitudes: [Matrix3], jacobians: [Matrix3]
  ) {
    var states: [Double] = []
    var attitudes: [Matrix3] = []
    var jacobians: [Matrix3] = []
    for b in 0..<(naive.count / 12) {
      let o = 12 * b
      let xi = Vector3(parameters[6 * b], parameters[6 * b + 1], parameters[6 * b + 2])
      let r = Matrix3(entries: Array(naive[o..<(o + 9)])) * SO3.exp(xi).matrix
      attitudes.append(r)
      jacobians.append(SO3.rightJacobian(xi))
      states += r.entries
      for i in 0..<3 { states.append(naive[o + 9 + i] + parameters[6 * b + 3 + i]) }
    }
    return (states, attitudes, jacobians)
  }

  /// The pullback of ``initialStates(startParameters:naive:)``.
  @derivative(of: initialStates, wrt: parameters)
  public func vjpInitialStates(startParameters parameters: [Double], naive: [Double]) -> (
    value: [Double], pullback: ([Double].TangentVector) -> [Double].TangentVector
  ) {
    let (states, attitudes, jacobians) = perturbedStates(parameters, naive)
    return (
      states,
      { cotangent in
        let bar = [Double](dense: cotangent, count: states.count)
        var parametersBar: [Double] = []
        for b in attitudes.indices {
          let o = 12 * b
          let rBar = Matrix3(entries: Array(bar[o..<(o + 9)]))
          // dR₀ = R₀ (J_r dξ)^, so ⟨R̄, dR₀⟩ = ax(R₀ᵀR̄)·J_r dξ.
          parametersBar +=
            jacobians[b].transposeTimes(axial(attitudes[b].transpose * rBar))
            .components
          parametersBar += Array(bar[(o + 9)..<(o + 12)])
        }
        return .init(parametersBar)
      }
    )
  }

  /// Predicted rows `(R_k, Ω_k)`, k = 0…`steps`; `initial` may hold B rows back to back, the
  /// result then holds B windows back to back.
  @differentiable(reverse,wrt: (self, initial))
  public func rollout(from initial: [Double], steps: Int) -> [Double] {
    rollout(from: initial, steps: steps, workspace: RolloutWorkspace())
  }

  /// ``rollout(from:steps:)`` with all windows stepped together in the memory of `workspace`
  /// (`SO3Rollout`; a forced model's with its inputs at zero).
  @differentiable(reverse,wrt: (self, initial))
  public func rollout(from initial: [Double], steps: Int, workspace: RolloutWorkspace)
    -> [Double]
  {
    rollout(from: initial, inputs: [], steps: steps, workspace: workspace)
  }

  /// The rollout driven by `inputs` (window b's `u_0, …, u_{K−1}` back to back; empty: zero).
  @differentiable(reverse,wrt: (self, initial))
  public func rollout(
    from initial: [Double], inputs: [Double], steps: Int, workspace: RolloutWorkspace
  ) -> [Double] {
    rolloutForward(initial, inputs, steps, workspace).output
  }

  /// The window-major rows and the rollout that produced them.
  func rolloutForward(
    _ initial: [Double], _ inputs: [Double], _ steps: Int, _ workspace: RolloutWorkspace
  ) -> (output: [Double], dynamics: SO3Rollout<Potential, Forces>) {
    let dynamics = SO3Rollout(
      body: body, forces: forces, inputs: inputs, stepSize: stepSize,
      batch: initial.count / 12, steps: steps, workspace: workspace)
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
    let mass = self.mass
    return (
      output,
      { cotangent in
        let result = dynamics.adjoint([Double](dense: cotangent, count: output.count))
        return (
          Self.TangentVector(
            potential: result.potential, mass: mass.pullback(result.inertia),
            forces: result.forces),
          .init(result.initial)
        )
      }
    )
  }

  /// `(R_k, Π_k)`, k = 0…steps, by `SO3LGVI` on ``body``, with ``torque`` (when the forces
  /// do not vanish) driven by `inputs` (`u_k` held over step k; none: zero).
  func trajectory(
    attitude: Matrix3, angularVelocity: Vector3, inputs: [[Double]] = [], steps: Int
  ) throws(IntegrationError) -> [RigidBodyState] {
    let body = self.body
    let torque = self.torque
    var integrator =
      if let torque {
        try SO3LGVI(system: body, stepSize: stepSize, forces: torque)
      } else {
        try SO3LGVI(system: body, stepSize: stepSize)
      }
    var state = RigidBodyState(
      attitude: SO3(uncheckedMatrix: attitude), angularMomentum: body.inertia * angularVelocity)
    var states = [state]
    states.reserveCapacity(steps + 1)
    for k in 0..<steps {
      if torque != nil, k < inputs.count { try integrator.holdInput(inputs[k]) }
      try integrator.step(&state)
      states.append(state)
    }
    return states
  }

  /// A forecast from the attitude R₀ and body angular velocity Ω₀ by `SO3LGVI`, with the
  /// learned energy `½ΩᵀJΩ + U(R)` (a forced model's with its inputs at zero).
  /// - Throws: ``LearningError/invalidConfiguration(name:value:requirement:)`` for a state of
  ///   coordinates; ``LearningError/integrationFailed(_:)`` when a step fails.
  public func forecast(from initial: MechanicalState, steps: Int) throws(LearningError)
    -> ForecastTrajectory
  {
    try forecast(
      from: initial,
      inputs: Array(
        repeating: Array(repeating: 0, count: inputCount), count: inputCount > 0 ? steps : 0),
      steps: steps)
  }

  /// The forecast of ``forecast(from:steps:)`` driven by `inputs` (`u_k` held over step k), by
  /// the forced `SO3LGVI` on ``body`` with ``torque``.
  /// - Throws: as ``forecast(from:steps:)``; as ``RolloutModel/checkForecastInputs(_:steps:)``.
  public func forecast(from initial: MechanicalState, inputs: [[Double]], steps: Int)
    throws(LearningError) -> ForecastTrajectory
  {
    try checkForecastInputs(inputs, steps: steps)
    let (attitude, angularVelocity) = try initial.rigidBody(model: kind)
    let body = self.body
    let states: [RigidBodyState]
    do throws(IntegrationError) {
      states = try trajectory(
        attitude: attitude.matrix, angularVelocity: angularVelocity,
        inputs: Array(inputs.prefix(steps)), steps: steps)
    } catch {
      throw .integrationFailed(error)
    }
    let velocities = states.map { body.angularVelocity(of: $0) }
    return .rigidBody(
      SO3Forecast(
        times: (0...steps).map { Double($0) * stepSize }, attitudes: states.map(\.attitude),
        angularVelocities: velocities,
        energies: zip(states, velocities).map { state, w in
          0.5 * w.dot(state.angularMomentum) + body.potential(at: state.attitude)
        }))
  }
}

extension VINSO3 where Forces == NoForce {
  /// A conservative VIN-SO(3) with the potential `potential` and the inertia `mass`.
  /// - Throws: as ``init(potential:mass:forces:stepSize:)``.
  public init(potential: Potential, mass: RigidBodyInertia, stepSize: Double)
    throws(LearningError)
  {
    try self.init(potential: potential, mass: mass, forces: NoForce(), stepSize: stepSize)
  }

  /// A conservative VIN-SO(3) with the potential `potential` and the inertia `J = sI` (s =
  /// `initialInertiaScale`), with flat `parameters` (the potential's, then the inertia
  /// factor's 6 entries) when given.
  /// - Throws: as ``init(potential:forces:stepSize:initialInertiaScale:epsilon:parameters:)``.
  public init(
    potential: Potential, stepSize: Double, initialInertiaScale: Double = 1,
    epsilon: Double = 1e-6, parameters: [Double]? = nil
  ) throws(LearningError) {
    try self.init(
      potential: potential, forces: NoForce(), stepSize: stepSize,
      initialInertiaScale: initialInertiaScale, epsilon: epsilon, parameters: parameters)
  }
}

extension VINSO3 where Potential == RigidBodyGravityPotential, Forces == NoForce {
  /// VIN-SO(3) with the heavy-body potential `U = e_zᵀRc`, c initialised at 0.
  /// - Throws: as ``init(potential:stepSize:initialInertiaScale:epsilon:parameters:)``;
  ///   ``LearningError/dimensionMismatch(name:expected:actual:)`` unless `parameters`
  ///   (`(c, L11, L21, L22, L31, L32, L33)`) has 9 entries.
  public init(
    stepSize: Double, initialInertiaScale: Double = 1, epsilon: Double = 1e-6,
    parameters: [Double]? = nil
  ) throws(LearningError) {
    try self.init(
      potential: RigidBodyGravityPotential(), stepSize: stepSize,
      initialInertiaScale: initialInertiaScale, epsilon: epsilon, parameters: parameters)
  }
}

extension VINSO3 where Potential == RigidBodyMLPPotential, Forces == NoForce {
  /// VIN-SO(3) with a network potential on the nine entries of R (`network` maps 9 inputs to 1).
  /// - Throws: as ``init(potential:stepSize:initialInertiaScale:epsilon:parameters:)``, and
  ///   ``LearningError/dimensionMismatch(name:expected:actual:)`` unless the network maps R⁹ to
  ///   R and `parameters` (the network's, then the inertia factor) has the right count.
  public init(
    stepSize: Double, network: MultilayerPerceptron, initialInertiaScale: Double = 1,
    epsilon: Double = 1e-6, parameters: [Double]? = nil
  ) throws(LearningError) {
    try self.init(
      potential: RigidBodyMLPPotential(network: network), stepSize: stepSize,
      initialInertiaScale: initialInertiaScale, epsilon: epsilon, parameters: parameters)
  }
}

/// `ax(A)`, the vector with `⟨A, ŵ⟩ = ax(A)·w` for every w: `(A32 − A23, A13 − A31, A21 − A12)`.
func axial(_ a: Matrix3) -> Vector3 {
  Vector3(a[2, 1] - a[1, 2], a[0, 2] - a[2, 0], a[1, 0] - a[0, 1])
}
