import DiscreteMechanics
import Manifolds
import _Differentiation

/// VIN-VV: a variational integrator network that steps `(q, q̇)` with velocity Verlet for the
/// learned Lagrangian `L_θ = ½ q̇ᵀ M_θ q̇ − V_θ(q)` (Saemundsson et al., *Variational
/// Integrator Networks*, AISTATS 2020, eq. 9):
///
///     q_{k+1} = q_k + h q̇_k − (h²/2) M⁻¹ ∇V(q_k)
///     q̇_{k+1} = q̇_k − (h/2) M⁻¹ (∇V(q_k) + ∇V(q_{k+1}))
///
/// The forward pass is the batched Störmer–Verlet rollout (`VerletRollout`: the arithmetic of
/// DiscreteMechanics' `StormerVerlet` on the ``LearnedSystem``, the same method in momentum
/// form, `p = M q̇`, for all windows at once). The rollout's pullback is hand-written: the
/// discrete adjoint of these two equations, with the potential's gradient pullback
/// (mixed second derivatives) called once per step for all windows and
/// `M̄ = −M⁻¹ W̄ M⁻¹` for `W = M⁻¹`.
///
/// **Forces.** A VIN-VV of a driven or damped system learns ``forces`` `F = B(q)u − D(q)q̇`
/// (``ConstantForce``, or ``ConfigurationForce`` when B or D depends on q) and steps by the
/// discrete Lagrange–d'Alembert principle with the forces at `q_k` and `q_{k+1}`
/// (`ForcedVerletRollout`; Marsden and West 2001, §3), its rollouts and forecasts driven by the
/// inputs u held over each step (``RolloutModel/rollout(from:inputs:steps:workspace:)``,
/// ``RolloutModel/forecast(from:inputs:steps:)``). With ``NoForce`` (the default) the step is
/// the one above.
public struct VINVelocityVerlet<
  Potential: LearnablePotential, Mass: LearnableMassMatrix, Forces: LearnableForce
>: PotentialMassModel {
  public var potential: Potential
  public var mass: Mass
  public var forces: Forces
  @noDerivative public let stepSize: Double

  /// A VIN-VV driven and damped by `forces`.
  /// - Throws: ``LearningError/dimensionMismatch(name:expected:actual:)`` if the mass matrix,
  ///   the potential and the forces disagree on n; ``LearningError/invalidConfiguration(name:value:requirement:)``
  ///   unless h is positive and finite.
  public init(potential: Potential, mass: Mass, forces: Forces, stepSize: Double)
    throws(LearningError)
  {
    try validateModel(potential: potential, mass: mass, stepSize: stepSize)
    try forces.checkDimension(potential.dimension)
    self.potential = potential
    self.mass = mass
    self.forces = forces
    self.stepSize = stepSize
  }

  public var kind: ModelKind { .vinVelocityVerlet }
  public var configurationDimension: Int { potential.dimension }
  public var observesVelocities: Bool { true }
  public var initialStateDimension: Int { 2 * configurationDimension }

  public func flatten(_ tangent: Self.TangentVector) -> [Double] {
    potential.flatten(tangent.potential) + mass.flatten(tangent.mass)
      + forces.flatten(tangent.forces)
  }

  public func naiveInitialState(_ observations: [Double]) -> [Double] {
    Array(observations[..<initialStateDimension])
  }

  func dynamics(batch: Int, steps: Int, workspace: RolloutWorkspace) -> VerletRollout<
    Potential, Mass
  > {
    VerletRollout(
      potential: potential, mass: MassEvaluation(mass), stepSize: stepSize, batch: batch,
      steps: steps, workspace: workspace)
  }

  /// Predicted `(q_k, q̇_k)`, k = 0…`steps`. `initial` may hold a batch of B initial states
  /// back to back; they are rolled out together and the result holds B windows back to back.
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

  /// The rollout driven by `inputs` (window b's `u_0, …, u_{K−1}` back to back; empty: zero).
  @differentiable(reverse,wrt: (self, initial))
  public func rollout(
    from initial: [Double], inputs: [Double], steps: Int, workspace: RolloutWorkspace
  ) -> [Double] {
    forces.vanishes
      ? rolloutForward(initial, steps, workspace).output
      : forcedForward(initial, inputs, steps, workspace).output
  }

  /// The window-major output `(q_k, M⁻¹p_k)` of the forced step and the rollout that produced
  /// it.
  func forcedForward(
    _ initial: [Double], _ inputs: [Double], _ steps: Int, _ workspace: RolloutWorkspace
  ) -> (output: [Double], dynamics: ForcedVerletRollout<Potential, Mass, Forces>) {
    let batch = initial.count / initialStateDimension
    let dynamics = ForcedVerletRollout(
      verlet: self.dynamics(batch: batch, steps: steps, workspace: workspace), forces: forces,
      inputs: inputs)
    let verlet = dynamics.verlet
    verlet.load(initial)
    dynamics.run()
    return (verlet.output(), dynamics)
  }

  /// The window-major output `(q_k, M⁻¹p_k)` and the rollout that produced it.
  func rolloutForward(_ initial: [Double], _ steps: Int, _ workspace: RolloutWorkspace) -> (
    output: [Double], dynamics: VerletRollout<Potential, Mass>
  ) {
    let batch = initial.count / initialStateDimension
    let dynamics = self.dynamics(batch: batch, steps: steps, workspace: workspace)
    dynamics.load(initial)
    dynamics.run()
    return (dynamics.output(), dynamics)
  }

  @derivative(of: rollout(from:inputs:steps:workspace:), wrt: (self, initial))
  public func vjpRollout(
    from initial: [Double], inputs: [Double], steps: Int, workspace: RolloutWorkspace
  ) -> (
    value: [Double],
    pullback: ([Double].TangentVector) -> (Self.TangentVector, [Double].TangentVector)
  ) {
    if forces.vanishes {
      let (output, dynamics) = rolloutForward(initial, steps, workspace)
      return (
        output,
        { cotangent in
          let bar = [Double](dense: cotangent, count: output.count)
          let (potentialBar, inverseBar, initialBar) = Self.adjoint(dynamics, bar)
          return (
            Self.TangentVector(
              potential: potentialBar, mass: dynamics.mass.pullback(inverseCotangent: inverseBar),
              forces: .zero),
            .init(initialBar)
          )
        }
      )
    }
    let (output, dynamics) = forcedForward(initial, inputs, steps, workspace)
    let n = configurationDimension
    var initialVelocities: [Double] = []
    for b in 0..<(initial.count / (2 * n)) {
      initialVelocities += initial[((2 * b + 1) * n)..<((2 * b + 2) * n)]
    }
    return (
      output,
      { cotangent in
        let bar = [Double](dense: cotangent, count: output.count)
        let result = dynamics.adjoint(bar, initialVelocities: initialVelocities)
        return (
          Self.TangentVector(
            potential: result.potential,
            mass: dynamics.verlet.mass.pullback(
              massCotangent: result.massBar, inverseCotangent: result.inverseBar),
            forces: result.forces),
          .init(result.initial)
        )
      }
    )
  }

  /// The discrete adjoint of the rollout in the `(q, q̇)` form of the step,
  ///
  ///     q_{k+1} = q_k + h q̇_k − (h²/2) W ∇V(q_k),  q̇_{k+1} = q̇_k − (h/2) W (∇V(q_k) + ∇V(q_{k+1})),
  ///
  /// `W = M⁻¹`, for the window-major output cotangent `bar`, all windows together: the
  /// potential's cotangent, `W̄` (row-major n×n) and the cotangent of the initial states.
  static func adjoint(_ dynamics: VerletRollout<Potential, Mass>, _ bar: [Double]) -> (
    Potential.TangentVector, [Double], [Double]
  ) {
    let n = dynamics.dimension
    let batch = dynamics.batch
    let steps = dynamics.steps
    let h = dynamics.stepSize
    let w = dynamics.mass.inverse.storage
    let count = batch * n
    let adjoints = dynamics.workspace.buffer(.adjoints, count: 6 * count)
    var (qBarNext, vBarNext) = (adjoints, adjoints + count)
    var (qBar, vBar) = (adjoints + 2 * count, adjoints + 3 * count)
    let (gBar, product) = (adjoints + 4 * count, adjoints + 5 * count)
    /// Adds the observed cotangents of step k to `q̄`, `v̄`.
    func observe(
      _ k: Int, _ qBar: UnsafeMutablePointer<Double>, _ vBar: UnsafeMutablePointer<Double>
    ) {
      for b in 0..<batch {
        let row = (b * (steps + 1) + k) * 2 * n
        for i in 0..<n {
          qBar[b * n + i] += bar[row + i]
          vBar[b * n + i] += bar[row + n + i]
        }
      }
    }
    var potentialBar = Potential.TangentVector.zero
    var inverseBar = Array(repeating: 0.0, count: n * n)
    qBarNext.update(repeating: 0, count: 2 * count)
    observe(steps, qBarNext, vBarNext)
    if steps >= 1 {
      dynamics.multiply(w, vBarNext, into: gBar, scale: -0.5 * h)
      dynamics.addPotentialPullback(
        step: steps, gBar, to: qBarNext, product: product, tangent: &potentialBar)
      for k in stride(from: steps - 1, through: 0, by: -1) {
        let gK = dynamics.gradients + dynamics.offset(k)
        let gNext = dynamics.gradients + dynamics.offset(k + 1)
        for i in 0..<count {
          qBar[i] = qBarNext[i]
          vBar[i] = vBarNext[i] + h * qBarNext[i]
        }
        observe(k, qBar, vBar)
        dynamics.multiply(w, qBarNext, into: gBar, scale: -0.5 * h * h)
        dynamics.multiply(w, vBarNext, into: gBar, scale: -0.5 * h, accumulate: true)
        dynamics.accumulateOuter(-0.5 * h * h, qBarNext, gK, into: &inverseBar)
        dynamics.accumulateOuter(-0.5 * h, vBarNext, gK, into: &inverseBar)
        dynamics.accumulateOuter(-0.5 * h, vBarNext, gNext, into: &inverseBar)
        if k >= 1 { dynamics.multiply(w, vBar, into: gBar, scale: -0.5 * h, accumulate: true) }
        dynamics.addPotentialPullback(
          step: k, gBar, to: qBar, product: product, tangent: &potentialBar)
        swap(&qBar, &qBarNext)
        swap(&vBar, &vBarNext)
      }
    }
    var initialBar = [Double](repeating: 0, count: 2 * count)
    for b in 0..<batch {
      for i in 0..<n {
        initialBar[2 * b * n + i] = qBarNext[b * n + i]
        initialBar[2 * b * n + n + i] = vBarNext[b * n + i]
      }
    }
    return (potentialBar, inverseBar, initialBar)
  }

  /// A forecast from `(q₀, q̇₀)` by the velocity Verlet step of training, with velocities
  /// `M⁻¹p` and the learned energy `½ q̇ᵀMq̇ + V(q)` (a forced model's with its inputs at zero).
  public func forecast(from initial: MechanicalState, steps: Int) throws(LearningError)
    -> ForecastTrajectory
  {
    try forecast(
      from: initial,
      inputs: Array(
        repeating: Array(repeating: 0, count: inputCount), count: inputCount > 0 ? steps : 0),
      steps: steps)
  }

  /// The forecast of ``forecast(from:steps:)`` driven by `inputs` (`u_k` held over step k).
  /// - Throws: as ``forecast(from:steps:)``; as ``RolloutModel/checkForecastInputs(_:steps:)``.
  public func forecast(from initial: MechanicalState, inputs: [[Double]], steps: Int)
    throws(LearningError) -> ForecastTrajectory
  {
    try checkForecastInputs(inputs, steps: steps)
    let (q0, v0) = try initial.coordinates(dimension: configurationDimension, model: kind)
    let workspace = RolloutWorkspace()
    guard !forces.vanishes else {
      return .coordinates(
        try dynamics(batch: 1, steps: steps, workspace: workspace)
          .forecast(position: q0, velocity: v0))
    }
    let dynamics = ForcedVerletRollout(
      verlet: self.dynamics(batch: 1, steps: steps, workspace: workspace), forces: forces,
      inputs: inputs.prefix(steps).flatMap { $0 })
    dynamics.verlet.load(q0 + v0)
    dynamics.run()
    return .coordinates(try dynamics.verlet.forecastFromBuffers())
  }
}

extension VINVelocityVerlet where Forces == NoForce {
  /// - Throws: ``LearningError/dimensionMismatch(name:expected:actual:)`` if the mass matrix
  ///   and the potential disagree on n; ``LearningError/invalidConfiguration(name:value:requirement:)``
  ///   unless h is positive and finite.
  public init(potential: Potential, mass: Mass, stepSize: Double) throws(LearningError) {
    try self.init(potential: potential, mass: mass, forces: NoForce(), stepSize: stepSize)
  }
}

/// Checks shared by the VIN initialisers.
func validateModel<Potential: LearnablePotential, Mass: LearnableMassMatrix>(
  potential: Potential, mass: Mass, stepSize: Double
) throws(LearningError) {
  guard mass.dimension == potential.dimension else {
    throw .dimensionMismatch(
      name: "mass matrix dimension", expected: potential.dimension, actual: mass.dimension)
  }
  try ModelLimits.checkStepSize(stepSize, field: "step size")
}
