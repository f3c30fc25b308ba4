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
/// The forward pass is DiscreteMechanics' `StormerVerlet` on the ``LearnedSystem`` (the
/// same method in momentum form, `p = M q̇`). The rollout's pullback is hand-written: the
/// discrete adjoint of these two equations, with the potential's gradient pullback
/// (mixed second derivatives) called once per visited configuration and
/// `M̄ = −M⁻¹ W̄ M⁻¹` for `W = M⁻¹`.
public struct VINVelocityVerlet<Potential: LearnablePotential, Mass: LearnableMassMatrix>:
  RolloutModel
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

  public var parameterCount: Int { potential.parameterCount + mass.parameterCount }
  public var flatParameters: [Double] {
    get { potential.flatParameters + mass.flatParameters }
    set {
      potential.flatParameters = Array(newValue[..<potential.parameterCount])
      mass.flatParameters = Array(newValue[potential.parameterCount...])
    }
  }
  public func flatten(_ tangent: Self.TangentVector) -> [Double] {
    potential.flatten(tangent.potential) + mass.flatten(tangent.mass)
  }

  public func naiveInitialState(_ observations: [Double]) -> [Double] {
    Array(observations[..<initialStateDimension])
  }

  func dynamics(copies: Int, recording: Bool = false) -> VerletRollout<Potential, Mass> {
    VerletRollout(
      potential: potential, mass: mass, stepSize: stepSize, copies: copies, recording: recording)
  }

  /// Predicted `(q_k, q̇_k)`, k = 0…`steps`. `initial` may hold a batch of B initial states
  /// back to back; they are rolled out together and the result holds B windows back to back.
  @differentiable(reverse,wrt: (self, initial))
  public func rollout(from initial: [Double], steps: Int) -> [Double] {
    rolloutForward(dynamics(copies: initial.count / initialStateDimension), initial, steps)
      .output
  }

  /// The window-major output and the positions `q_k` of all windows (step-major).
  func rolloutForward(
    _ dynamics: VerletRollout<Potential, Mass>, _ initial: [Double], _ steps: Int
  ) -> (output: [Double], positions: [[Double]]) {
    let n = configurationDimension
    let (q0, v0) = deinterleave(initial, n: n)
    let (positions, velocities) = dynamics.trajectoryOrNaN(
      position: q0, momentum: dynamics.momentum(v0), steps: steps)
    let rows = (0...steps).map { interleave(positions[$0], velocities[$0], n: n) }
    return (windowMajor(rows, width: 2 * n), positions)
  }

  @derivative(of: rollout, wrt: (self, initial))
  public func vjpRollout(from initial: [Double], steps: Int) -> (
    value: [Double],
    pullback: ([Double].TangentVector) -> (Self.TangentVector, [Double].TangentVector)
  ) {
    let dynamics = self.dynamics(copies: initial.count / initialStateDimension, recording: true)
    let (output, positions) = rolloutForward(dynamics, initial, steps)
    let n = configurationDimension
    let h = stepSize
    return (
      output,
      { cotangent in
        let bar = [Double](dense: cotangent, count: output.count)
        let w = dynamics.mass.inverse
        func observed(_ k: Int) -> ([Double], [Double]) {
          deinterleave(stepRow(bar, k, rowCount: steps + 1, width: 2 * n), n: n)
        }
        let passes = positions.indices.map { dynamics.pass(at: positions[$0], hint: $0) }
        var potentialBar = Potential.TangentVector.zero
        var inverseBar = Array(repeating: 0.0, count: n * n)
        // Adjoints of state k+1 while processing step k.
        var (qBarNext, vBarNext) = observed(steps)
        if steps >= 1 {
          let dq = passes[steps].pullback(
            blockProduct(w, vBarNext).map { -0.5 * h * $0 }, &potentialBar)
          axpy(1, dq, &qBarNext)
          for k in stride(from: steps - 1, through: 0, by: -1) {
            let gK = passes[k].value
            let gNext = passes[k + 1].value
            var (qBar, vBar) = observed(k)
            axpy(1, qBarNext, &qBar)
            axpy(1, vBarNext, &vBar)
            axpy(h, qBarNext, &vBar)
            var gBar = blockProduct(w, qBarNext).map { -0.5 * h * h * $0 }
            axpy(-0.5 * h, blockProduct(w, vBarNext), &gBar)
            accumulateOuter(-0.5 * h * h, qBarNext, gK, &inverseBar, n: n)
            accumulateOuter(-0.5 * h, vBarNext, zip(gK, gNext).map(+), &inverseBar, n: n)
            if k >= 1 { axpy(-0.5 * h, blockProduct(w, vBar), &gBar) }
            let dq = passes[k].pullback(gBar, &potentialBar)
            axpy(1, dq, &qBar)
            qBarNext = qBar
            vBarNext = vBar
          }
        }
        return (
          Self.TangentVector(
            potential: potentialBar, mass: dynamics.mass.pullback(inverseCotangent: inverseBar)),
          .init(interleave(qBarNext, vBarNext, n: n))
        )
      }
    )
  }

  public func forecast(position q0: [Double], velocity v0: [Double], steps: Int)
    throws(LearningError) -> Forecast
  {
    try dynamics(copies: 1).forecast(position: q0, velocity: v0, steps: steps)
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
