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
/// started from two angles `(θ₀, θ₁)`. The forward pass is `SO2LGVI` on the learned rotor
/// started at `θ₁` with `π₁ = (J/h) sin(θ₁ − θ₀) − (h/2)U′(θ₁)` (the discrete Legendre
/// transform `D₂L_d(θ₀, θ₁)`), so training, forecasting and `vin simulate` share one step; the
/// pullback is the hand-written adjoint of the two-step recursion (explicit: the chain rule
/// through asin, `d asin(s)/ds = 1/cos Δ_k`). The inertia J is the 1×1 learnable mass matrix
/// (softplus-positive for ``ConstantMassMatrix``). A step with `|s_k| > 1` has no solution:
/// the rollout then returns NaN from that step on and the trainer stops with a non-finite loss.
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
    rolloutForward(MassEvaluation(mass), initial, steps)
  }

  /// The angles of every window, window-major, by `SO2LGVI` (NaN after a failed step).
  func rolloutForward(_ mass: MassEvaluation<Mass>, _ initial: [Double], _ steps: Int)
    -> [Double]
  {
    let inertia = mass.mass[0, 0]
    let rotor = rotor(inertia: inertia)
    let h = stepSize
    var output: [Double] = []
    output.reserveCapacity((initial.count / 2) * (steps + 1))
    for b in 0..<(initial.count / 2) {
      let (theta0, theta1) = (initial[2 * b], initial[2 * b + 1])
      output.append(theta0)
      if steps == 0 { continue }
      output.append(theta1)
      let momentum =
        inertia / h * Double.sin(theta1 - theta0)
        - 0.5 * h * rotor.potentialDerivative(atAngle: theta1)
      var state = RotorState(angle: theta1, momentum: momentum)
      var failed = false
      if var integrator = try? SO2LGVI(system: rotor, stepSize: h) {
        for _ in 1..<steps {
          if !failed {
            do { try integrator.step(&state) } catch { failed = true }
          }
          output.append(failed ? .nan : state.angle)
        }
      } else {
        output += Array(repeating: .nan, count: steps - 1)
      }
    }
    return output
  }

  /// The adjoint of the two-step recursion, all windows together: for k = K−1…1,
  /// `s̄_k += θ̄_{k+1}/cos Δ_k`, `θ̄_k += θ̄_{k+1} + U″(θ_k)(−c s̄_k)`, `c̄ −= s̄_k U′(θ_k)`,
  /// `s̄_{k−1} = s̄_k` with `c = h²/J`; finally `s₀ = sin(θ₁ − θ₀)` gives
  /// `θ̄₁ += cos Δ₀ s̄₀`, `θ̄₀ −= cos Δ₀ s̄₀`.
  @derivative(of: rollout, wrt: (self, initial))
  public func vjpRollout(from initial: [Double], steps: Int) -> (
    value: [Double],
    pullback: ([Double].TangentVector) -> (Self.TangentVector, [Double].TangentVector)
  ) {
    let mass = MassEvaluation(self.mass)
    let output = rolloutForward(mass, initial, steps)
    let batch = initial.count / 2
    let h = stepSize
    let c = h * h * mass.inverse[0, 0]
    let potential = self.potential
    return (
      output,
      { cotangent in
        let bar = [Double](dense: cotangent, count: output.count)
        // θ̄ and θ step-major: row k holds the B windows.
        var thetaBar = (0...steps).map { stepRow(bar, $0, rowCount: steps + 1, width: 1) }
        let theta = (0...steps).map { stepRow(output, $0, rowCount: steps + 1, width: 1) }
        var potentialBar = Potential.TangentVector.zero
        var cBar = 0.0
        var sBar = Array(repeating: 0.0, count: batch)
        if steps >= 2 {
          for k in stride(from: steps - 1, through: 1, by: -1) {
            let pass = potential.gradientsWithPullback(at: theta[k])
            var gBar = Array(repeating: 0.0, count: batch)
            for b in 0..<batch {
              sBar[b] += thetaBar[k + 1][b] / Double.cos(theta[k + 1][b] - theta[k][b])
              thetaBar[k][b] += thetaBar[k + 1][b]
              cBar -= sBar[b] * pass.value[b]
              gBar[b] = -c * sBar[b]
            }
            axpy(1, pass.pullback(gBar, &potentialBar), &thetaBar[k])
          }
        }
        var initialBar = Array(repeating: 0.0, count: 2 * batch)
        for b in 0..<batch {
          initialBar[2 * b] = thetaBar[0][b]
          if steps >= 1 {
            let cosine = Double.cos(theta[1][b] - theta[0][b])
            initialBar[2 * b] -= cosine * sBar[b]
            initialBar[2 * b + 1] = thetaBar[1][b] + cosine * sBar[b]
          }
        }
        return (
          Self.TangentVector(
            potential: potentialBar,
            mass: mass.pullback(inverseCotangent: [h * h * cBar])),
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
