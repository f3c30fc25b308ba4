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
public struct VINVelocityVerlet<Potential: LearnablePotential, Mass: LearnableMassMatrix>:
  PotentialMassModel
{
  public var potential: Potential
  public var mass: Mass
  @noDerivative public let stepSize: Double

  /// - Throws: ``LearningError/dimensionMismatch(name:expected:actual:)`` if the mass matrix
  ///   and the potential disagree on n; ``LearningError/invalidConfiguration(name:value:requirement:)``
  ///   unless h is positive and finite.
  public init(potential: Potential, mass: Mass, stepSize: Double) throws(LearningError) {
    try validateModel(potential: potential, mass: mass, stepSize: stepSize)
    self.potential = potential
    self.mass = mass
    self.stepSize = stepSize
  }

  public var kind: ModelKind { .vinVelocityVerlet }
  public var configurationDimension: Int { potential.dimension }
  public var observesVelocities: Bool { true }
  public var initialStateDimension: Int { 2 * configurationDimension }

  public func flatten(_ tangent: Self.TangentVector) -> [Double] {
    potential.flatten(tangent.potential) + mass.flatten(tangent.mass)
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

  /// ``rollout(from:steps:)`` in the memory of `workspace`.
  @differentiable(reverse,wrt: (self, initial))
  public func rollout(from initial: [Double], steps: Int, workspace: RolloutWorkspace)
    -> [Double]
  {
    rolloutForward(initial, steps, workspace).output
  }

  /// The window-major output `(q_k, M⁻¹p_k)` and the rollout that produced it.
  func rolloutForward(_ initial: [Double], _ steps: Int, _ workspace: RolloutWorkspace) -> (
    output: [Double], dynamics: VerletRollout<Potential, Mass>
  ) {
    let n = configurationDimension
    let batch = initial.count / initialStateDimension
    let dynamics = self.dynamics(batch: batch, steps: steps, workspace: workspace)
    let m = dynamics.mass.mass.storage
    for b in 0..<batch {
      for i in 0..<n {
        dynamics.positions[b * n + i] = initial[2 * b * n + i]
        var p = 0.0
        for j in 0..<n { p += m[i * n + j] * initial[2 * b * n + n + j] }
        dynamics.momenta[b * n + i] = p
      }
    }
    dynamics.run()
    let w = dynamics.mass.inverse.storage
    var output = [Double](repeating: 0, count: batch * (steps + 1) * 2 * n)
    for b in 0..<batch {
      for k in 0...steps {
        let row = (b * (steps + 1) + k) * 2 * n
        let state = dynamics.offset(k) + b * n
        for i in 0..<n {
          output[row + i] = dynamics.positions[state + i]
          var v = 0.0
          for j in 0..<n { v += w[i * n + j] * dynamics.momenta[state + j] }
          output[row + n + i] = v
        }
      }
    }
    return (output, dynamics)
  }

  @derivative(of: rollout(from:steps:workspace:), wrt: (self, initial))
  public func vjpRollout(from initial: [Double], steps: Int, workspace: RolloutWorkspace) -> (
    value: [Double],
    pullback: ([Double].TangentVector) -> (Self.TangentVector, [Double].TangentVector)
  ) {
    let (output, dynamics) = rolloutForward(initial, steps, workspace)
    return (
      output,
      { cotangent in
        let bar = [Double](dense: cotangent, count: output.count)
        let (potentialBar, inverseBar, initialBar) = Self.adjoint(dynamics, bar)
        return (
          Self.TangentVector(
            potential: potentialBar, mass: dynamics.mass.pullback(inverseCotangent: inverseBar)),
          .init(initialBar)
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
  /// `M⁻¹p` and the learned energy `½ q̇ᵀMq̇ + V(q)`.
  public func forecast(from initial: MechanicalState, steps: Int) throws(LearningError)
    -> ForecastTrajectory
  {
    let (q0, v0) = try initial.coordinates(dimension: configurationDimension, model: kind)
    return .coordinates(
      try dynamics(batch: 1, steps: steps, workspace: RolloutWorkspace())
        .forecast(position: q0, velocity: v0))
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
