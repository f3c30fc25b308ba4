import DiscreteMechanics
import Manifolds
import _Differentiation

/// VIN-SO(2): a variational integrator network on the circle from angles only, the two-step
/// form of DiscreteMechanics' `SO2LGVI` for the learned rotor `L = ½ J θ̇² − U_θ(θ)`
/// (Lee, Leok, McClamroch, CDC 2005; Saemundsson et al., AISTATS 2020). With
/// `s_k = sin(θ_{k+1} − θ_k)`, eliminating the momentum from the LGVI
/// `s_k = (h/J)(π_k − (h/2)U′(θ_k))`, `π_{k+1} = π_k − (h/2)(U′(θ_k) + U′(θ_{k+1}))` gives
///
///     J s_k = J s_{k−1} − h² U′(θ_k),    θ_{k+1} = θ_k + asin(s_k),
///
/// started from two angles `(θ₀, θ₁)`. The forward pass is `SO2LGVI`'s step on the learned
/// rotor started at `θ₁` with `π₁ = (J/h) sin(θ₁ − θ₀) − (h/2)U′(θ₁)` (the discrete Legendre
/// transform `D₂L_d(θ₀, θ₁)`), so training, forecasting and `vin simulate` share one step.
/// Training rolls all windows out together (``rollout(from:steps:workspace:)``, `SO2Rollout`):
/// `U′` of every window in one batched call per step, the states step-major in a
/// ``RolloutWorkspace``; the pullback is the hand-written adjoint of the two-step recursion
/// (explicit: the chain rule through asin, `d asin(s)/ds = 1/cos Δ_k`), with one batched
/// Hessian-vector product of the potential per step. The inertia J is the 1×1 learnable mass
/// matrix (softplus-positive for ``ConstantMassMatrix``). A step with `|s_k| > 1` has no
/// solution: the window is then NaN from that step on and the trainer stops with a non-finite
/// loss.
public struct VINSO2<Potential: LearnablePotential, Mass: LearnableMassMatrix>:
  PotentialMassModel
{
  public var potential: Potential
  public var mass: Mass
  @noDerivative public let stepSize: Double

  /// - Throws: ``LearningError/dimensionMismatch(name:expected:actual:)`` unless potential and
  ///   mass have dimension 1; as ``VINVelocityVerlet/init(potential:mass:stepSize:)``.
  public init(potential: Potential, mass: Mass, stepSize: Double) throws(LearningError) {
    guard potential.dimension == 1 else {
      throw .dimensionMismatch(
        name: "VIN-SO(2) potential dimension", expected: 1, actual: potential.dimension)
    }
    try validateModel(potential: potential, mass: mass, stepSize: stepSize)
    self.potential = potential
    self.mass = mass
    self.stepSize = stepSize
  }

  public var kind: ModelKind { .vinSO2 }
  public var configurationDimension: Int { 1 }
  public var observesVelocities: Bool { false }
  public var initialStateDimension: Int { 2 }

  public func flatten(_ tangent: Self.TangentVector) -> [Double] {
    potential.flatten(tangent.potential) + mass.flatten(tangent.mass)
  }

  /// `(θ₀, θ₁)`, the first two observed angles.
  public func naiveInitialState(_ observations: [Double]) -> [Double] {
    Array(observations[..<2])
  }

  /// The learned rotor with the inertia `J = M₁₁`.
  func rotor(inertia: Double) -> LearnedRotor<Potential> {
    LearnedRotor(potential: potential, inertia: inertia)
  }

  /// Predicted `θ_k`, k = 0…`steps`. `initial` may hold B pairs `(θ₀, θ₁)` back to back; the
  /// result holds the B windows back to back.
  @differentiable(reverse,wrt: (self, initial))
  public func rollout(from initial: [Double], steps: Int) -> [Double] {
    rollout(from: initial, steps: steps, workspace: RolloutWorkspace())
  }

  /// ``rollout(from:steps:)`` in the memory of `workspace`.
  @differentiable(reverse,wrt: (self, initial))
  public func rollout(from initial: [Double], steps: Int, workspace: RolloutWorkspace)
    -> [Double]
  {
    rolloutForward(MassEvaluation(mass), initial, steps, workspace).output
  }

  /// The window-major angles of every window, stepped together (`SO2Rollout`), and the rollout
  /// that produced them.
  func rolloutForward(
    _ mass: MassEvaluation<Mass>, _ initial: [Double], _ steps: Int,
    _ workspace: RolloutWorkspace
  ) -> (output: [Double], dynamics: SO2Rollout<Potential>) {
    var dynamics = SO2Rollout(
      potential: potential, inertia: mass.mass[0, 0], stepSize: stepSize,
      batch: initial.count / initialStateDimension, steps: steps, workspace: workspace)
    dynamics.run(from: initial)
    return (dynamics.output(from: initial), dynamics)
  }

  /// The adjoint of the two-step recursion (`SO2Rollout`), all windows together; the inertia's
  /// cotangent from `c̄` of `c = h²/J = h² M⁻¹` through the mass matrix's pullback.
  @derivative(of: rollout(from:steps:workspace:), wrt: (self, initial))
  public func vjpRollout(from initial: [Double], steps: Int, workspace: RolloutWorkspace) -> (
    value: [Double],
    pullback: ([Double].TangentVector) -> (Self.TangentVector, [Double].TangentVector)
  ) {
    let mass = MassEvaluation(self.mass)
    let (output, dynamics) = rolloutForward(mass, initial, steps, workspace)
    let h = stepSize
    return (
      output,
      { cotangent in
        let (potentialBar, cBar, initialBar) = dynamics.adjoint(
          [Double](dense: cotangent, count: output.count))
        return (
          Self.TangentVector(
            potential: potentialBar, mass: mass.pullback(inverseCotangent: [h * h * cBar])),
          .init(initialBar)
        )
      }
    )
  }

  /// A forecast from `(θ₀, θ̇₀)` by `SO2LGVI` with `π₀ = J θ̇₀`, velocities `π/J` and the
  /// learned energy `π²/(2J) + U(θ)`.
  public func forecast(from initial: MechanicalState, steps: Int) throws(LearningError)
    -> ForecastTrajectory
  {
    let (q0, v0) = try initial.coordinates(dimension: 1, model: kind)
    let rotor = rotor(inertia: MassEvaluation(mass).mass[0, 0])
    do throws(IntegrationError) {
      var integrator = try SO2LGVI(system: rotor, stepSize: stepSize)
      var state = try rotor.state(angle: q0[0], angularVelocity: v0[0])
      var states = [state]
      for _ in 0..<steps {
        try integrator.step(&state)
        states.append(state)
      }
      return .coordinates(
        Forecast(
          times: (0...steps).map { Double($0) * stepSize }, positions: states.map { [$0.angle] },
          velocities: states.map { [rotor.angularVelocity(of: $0)] },
          energies: states.map { rotor.energy($0) }))
    } catch {
      throw .integrationFailed(error)
    }
  }
}

/// A ``LearnablePotential`` of dimension 1 with inertia J as a DiscreteMechanics
/// `PlanarRotor`, so that `SO2LGVI` steps the learned model.
struct LearnedRotor<Potential: LearnablePotential>: PlanarRotor {
  let potential: Potential
  let inertia: Double

  func potential(atAngle angle: Double) -> Double { potential.energy(at: [angle]) }
  func potentialDerivative(atAngle angle: Double) -> Double { potential.gradient(at: [angle])[0] }
}
