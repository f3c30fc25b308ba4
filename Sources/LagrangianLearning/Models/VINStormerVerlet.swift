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
/// eliminated, so the forward pass is DiscreteMechanics' `StormerVerlet` started at `q₁`
/// with `p₁ = M(q₁ − q₀)/h − (h/2)∇V(q₁)`; the pullback is the hand-written adjoint of the
/// two-step recursion. Forecasts from `(q₀, q̇₀)` use the same integrator.
public struct VINStormerVerlet<Potential: LearnablePotential, Mass: LearnableMassMatrix>:
  RolloutModel
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

  /// `(q₀, q₁)`, the first two observed positions.
  public func naiveInitialState(_ observations: [Double]) -> [Double] {
    Array(observations[..<(2 * configurationDimension)])
  }

  func dynamics(copies: Int, recording: Bool = false) -> VerletRollout<Potential, Mass> {
    VerletRollout(
      potential: potential, mass: mass, stepSize: stepSize, copies: copies, recording: recording)
  }

  /// Predicted `q_k`, k = 0…`steps`. `initial` may hold a batch of B initial states back to
  /// back; they are rolled out together and the result holds B windows back to back.
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
    let (q0, q1) = deinterleave(initial, n: n)
    if steps == 0 { return (q0, [q0]) }
    var p1 = dynamics.momentum(zip(q1, q0).map { ($0 - $1) / stepSize })
    axpy(-0.5 * stepSize, dynamics.potential.gradients(at: q1), &p1)
    let positions =
      [q0] + dynamics.trajectoryOrNaN(position: q1, momentum: p1, steps: steps - 1).positions
    return (windowMajor(positions, width: n), positions)
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
        var lambda = (0...steps).map { stepRow(bar, $0, rowCount: steps + 1, width: n) }
        if steps == 0 {
          return (
            Self.TangentVector(potential: .zero, mass: .zero),
            .init(interleave(lambda[0], Array(repeating: 0, count: lambda[0].count), n: n))
          )
        }
        let w = dynamics.mass.inverse
        var potentialBar = Potential.TangentVector.zero
        var inverseBar = Array(repeating: 0.0, count: n * n)
        for k in stride(from: steps, through: 0, by: -1) {
          if k >= 1, k <= steps - 1 {
            let pass = dynamics.pass(at: positions[k], hint: k - 1)
            let gBar = blockProduct(w, lambda[k + 1]).map { -h * h * $0 }
            accumulateOuter(-h * h, lambda[k + 1], pass.value, &inverseBar, n: n)
            let dq = pass.pullback(gBar, &potentialBar)
            axpy(1, dq, &lambda[k])
          }
          if k >= 2 {
            axpy(2, lambda[k], &lambda[k - 1])
            axpy(-1, lambda[k], &lambda[k - 2])
          }
        }
        return (
          Self.TangentVector(
            potential: potentialBar, mass: dynamics.mass.pullback(inverseCotangent: inverseBar)),
          .init(interleave(lambda[0], lambda[1], n: n))
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
