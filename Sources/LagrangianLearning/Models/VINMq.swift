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
public struct VINMq<Potential: LearnablePotential>: PotentialMassModel {
  public var potential: Potential
  public var mass: ConfigurationMassMatrix
  @noDerivative public let stepSize: Double

  /// - Throws: ``LearningError/dimensionMismatch(name:expected:actual:)`` when potential and
  ///   mass dimensions differ; ``LearningError/invalidConfiguration(name:value:requirement:)``
  ///   for a step size that is not positive and finite.
  public init(potential: Potential, mass: ConfigurationMassMatrix, stepSize: Double)
    throws(LearningError)
  {
    _ = try LearnedMassSystem(potential: potential, mass: mass)
    try ModelLimits.checkStepSize(stepSize, field: "step size")
    self.potential = potential
    self.mass = mass
    self.stepSize = stepSize
  }

  public var kind: ModelKind { .vinMq }
  public var configurationDimension: Int { potential.dimension }
  public var observesVelocities: Bool { false }
  public var initialStateDimension: Int { 2 * configurationDimension }

  public func flatten(_ tangent: Self.TangentVector) -> [Double] {
    potential.flatten(tangent.potential) + mass.flatten(tangent.mass)
  }

  /// The learned system that `VariationalMidpoint` steps.
  public var system: LearnedMassSystem<Potential> {
    LearnedMassSystem(unchecked: potential, mass)
  }

  /// `(q₀, q₁)`, the first two observed positions.
  public func naiveInitialState(_ observations: [Double]) -> [Double] {
    Array(observations[..<(2 * configurationDimension)])
  }

  /// Predicted `q_k`, k = 0…`steps`, for B windows `(q₀, q₁)` back to back (window-major).
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

  /// The window-major output and the rollout that produced it.
  func rolloutForward(_ initial: [Double], _ steps: Int, _ workspace: RolloutWorkspace) -> (
    output: [Double], dynamics: MidpointRollout<Potential>
  ) {
    var dynamics = MidpointRollout(
      potential: potential, mass: ConfigurationMassNetwork(mass), stepSize: stepSize,
      batch: initial.count / initialStateDimension, steps: steps, workspace: workspace)
    dynamics.run(from: initial)
    return (dynamics.output(), dynamics)
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
        let (potentialBar, massBar, initialBar) = dynamics.adjoint(
          [Double](dense: cotangent, count: output.count))
        return (
          Self.TangentVector(
            potential: potentialBar,
            mass: ConfigurationMassMatrix.TangentVector(parameters: .init(massBar))),
          .init(initialBar)
        )
      }
    )
  }

  /// A forecast from `(q₀, q̇₀)` by `VariationalMidpoint` with `p₀ = M(q₀) q̇₀`, velocities
  /// `M(q)⁻¹ p` and the learned energy `½ pᵀ M(q)⁻¹ p + V(q)`.
  public func forecast(from initial: MechanicalState, steps: Int) throws(LearningError)
    -> ForecastTrajectory
  {
    let n = configurationDimension
    let (q0, v0) = try initial.coordinates(dimension: n, model: kind)
    let system = self.system
    do throws(IntegrationError) {
      var integrator = try VariationalMidpoint(system: system, stepSize: stepSize)
      let trajectory = try integrator.integrate(
        from: PhaseState(q: q0, p: system.massMatrix(at: q0) * v0), steps: steps)
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
}
