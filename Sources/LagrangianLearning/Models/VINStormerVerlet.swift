import DiscreteMechanics
import Manifolds
import _Differentiation

/// VIN-SV: a variational integrator network on positions only, the two-step Störmer–Verlet
/// recursion of the learned Lagrangian `L_θ = ½ q̇ᵀ M_θ q̇ − V_θ(q)` (Saemundsson et al.,
/// *Variational Integrator Networks*, AISTATS 2020, eq. 8):
///
///     q_{k+1} = 2 q_k − q_{k−1} − h² M⁻¹ ∇V(q_k),
///
/// started from two configurations `(q₀, q₁)`. It is the velocity-Verlet map with the momentum
/// eliminated, so the forward pass is the batched Störmer–Verlet rollout (`VerletRollout`, the
/// arithmetic of DiscreteMechanics' `StormerVerlet`) started at `q₁` with
/// `p₁ = M(q₁ − q₀)/h − (h/2)∇V(q₁)`; the pullback is the hand-written adjoint of the
/// two-step recursion. Forecasts from `(q₀, q̇₀)` use the same integrator.
public struct VINStormerVerlet<Potential: LearnablePotential, Mass: LearnableMassMatrix>:
  PotentialMassModel
{
  public var potential: Potential
  public var mass: Mass
  @noDerivative public let stepSize: Double

  /// - Throws: as ``VINVelocityVerlet/init(potential:mass:stepSize:)``.
  public init(potential: Potential, mass: Mass, stepSize: Double) throws(LearningError) {
    try validateModel(potential: potential, mass: mass, stepSize: stepSize)
    self.potential = potential
    self.mass = mass
    self.stepSize = stepSize
  }

  public var kind: ModelKind { .vinStormerVerlet }
  public var configurationDimension: Int { potential.dimension }
  public var observesVelocities: Bool { false }
  public var initialStateDimension: Int { 2 * configurationDimension }

  public func flatten(_ tangent: Self.TangentVector) -> [Double] {
    potential.flatten(tangent.potential) + mass.flatten(tangent.mass)
  }

  /// `(q₀, q₁)`, the first two observed positions.
  public func naiveInitialState(_ observations: [Double]) -> [Double] {
    Array(observations[..<(2 * configurationDimension)])
  }

  func dynamics(batch: Int, steps: Int, workspace: RolloutWorkspace) -> VerletRollout<
    Potential, Mass
  > {
    VerletRollout(
      potential: potential, mass: MassEvaluation(mass), stepSize: stepSize, batch: batch,
      steps: steps, workspace: workspace)
  }

  /// Predicted `q_k`, k = 0…`steps`. `initial` may hold a batch of B initial states back to
  /// back; they are rolled out together and the result holds B windows back to back.
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

  /// The window-major output and the velocity-Verlet rollout of `steps − 1` steps from `q₁`
  /// that produced `q₁…q_steps` (none for `steps == 0`).
  func rolloutForward(_ initial: [Double], _ steps: Int, _ workspace: RolloutWorkspace) -> (
    output: [Double], dynamics: VerletRollout<Potential, Mass>?
  ) {
    let n = configurationDimension
    let batch = initial.count / initialStateDimension
    var output = [Double](repeating: 0, count: batch * (steps + 1) * n)
    for b in 0..<batch {
      for i in 0..<n { output[b * (steps + 1) * n + i] = initial[2 * b * n + i] }
    }
    if steps == 0 { return (output, nil) }
    let dynamics = self.dynamics(batch: batch, steps: steps - 1, workspace: workspace)
    // p₁ = M (q₁ − q₀)/h − (h/2) ∇V(q₁); the rollout evaluates ∇V(q₁) as its first gradient.
    let q1 = dynamics.positions
    for b in 0..<batch {
      for i in 0..<n { q1[b * n + i] = initial[2 * b * n + n + i] }
    }
    potential.gradients(at: q1, batch: batch, into: dynamics.gradients, workspace: workspace)
    let m = dynamics.mass.mass.storage
    for b in 0..<batch {
      for i in 0..<n {
        var p = 0.0
        for j in 0..<n {
          p += m[i * n + j] * ((initial[2 * b * n + n + j] - initial[2 * b * n + j]) / stepSize)
        }
        dynamics.momenta[b * n + i] = p - 0.5 * stepSize * dynamics.gradients[b * n + i]
      }
    }
    dynamics.run()
    for b in 0..<batch {
      for k in 1...steps {
        let state = dynamics.offset(k - 1) + b * n
        for i in 0..<n { output[(b * (steps + 1) + k) * n + i] = dynamics.positions[state + i] }
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
    let n = configurationDimension
    let h = stepSize
    let batch = initial.count / initialStateDimension
    return (
      output,
      { cotangent in
        let bar = [Double](dense: cotangent, count: output.count)
        let count = batch * n
        // λ_k, step-major: the cotangent of q_k.
        var lambda = [Double](repeating: 0, count: (steps + 1) * count)
        for b in 0..<batch {
          for k in 0...steps {
            for i in 0..<n { lambda[k * count + b * n + i] = bar[(b * (steps + 1) + k) * n + i] }
          }
        }
        var potentialBar = Potential.TangentVector.zero
        var inverseBar = Array(repeating: 0.0, count: n * n)
        if let dynamics {
          let w = dynamics.mass.inverse.storage
          let scratch = workspace.buffer(.adjoints, count: 2 * count)
          let (gBar, product) = (scratch, scratch + count)
          lambda.withUnsafeMutableBufferPointer { lambdaBuffer in
            guard let l = lambdaBuffer.baseAddress else { return }
            for k in stride(from: steps, through: 0, by: -1) {
              if k >= 1, k <= steps - 1 {
                // q_{k+1} = 2q_k − q_{k−1} − h² W ∇V(q_k); q_k is the rollout's step k − 1.
                let next = l + (k + 1) * count
                dynamics.multiply(w, next, into: gBar, scale: -h * h)
                dynamics.accumulateOuter(
                  -h * h, next, dynamics.gradients + dynamics.offset(k - 1), into: &inverseBar)
                dynamics.addPotentialPullback(
                  step: k - 1, gBar, to: l + k * count, product: product,
                  tangent: &potentialBar)
              }
              if k >= 2 {
                for i in 0..<count {
                  l[(k - 1) * count + i] += 2 * l[k * count + i]
                  l[(k - 2) * count + i] -= l[k * count + i]
                }
              }
            }
          }
        }
        var initialBar = [Double](repeating: 0, count: 2 * count)
        for b in 0..<batch {
          for i in 0..<n {
            initialBar[2 * b * n + i] = lambda[b * n + i]
            if steps >= 1 { initialBar[2 * b * n + n + i] = lambda[count + b * n + i] }
          }
        }
        let massBar =
          dynamics.map { $0.mass.pullback(inverseCotangent: inverseBar) } ?? Mass.TangentVector.zero
        return (
          Self.TangentVector(potential: potentialBar, mass: massBar), .init(initialBar)
        )
      }
    )
  }

  /// A forecast from `(q₀, q̇₀)` by the Störmer–Verlet step of the rollout, with velocities
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
