import DiscreteMechanics
import Manifolds
import _Differentiation

/// The forward pass that both VINs share: DiscreteMechanics' `StormerVerlet` stepping the
/// ``LearnedSystem`` of a learned potential and mass matrix, so that training, forecasting and
/// `vin simulate` run one implementation of the step.
struct VerletRollout<Potential: LearnablePotential, Mass: LearnableMassMatrix> {
  let potential: Potential
  let mass: MassEvaluation<Mass>
  let stepSize: Double

  init(potential: Potential, mass: Mass, stepSize: Double) {
    self.potential = potential
    self.mass = MassEvaluation(mass)
    self.stepSize = stepSize
  }

  var system: LearnedSystem<Potential> {
    LearnedSystem(potential: potential, mass: mass.mass, inverseMass: mass.inverse)
  }

  /// `(q_k, M⁻¹p_k)` for k = 0…steps from `(q₀, p₀)`, by Störmer–Verlet.
  /// - Throws: the integrator's error (invalid step size, non-finite state).
  func trajectory(position q0: [Double], momentum p0: [Double], steps: Int)
    throws(IntegrationError) -> (positions: [[Double]], velocities: [[Double]])
  {
    var integrator = try StormerVerlet(system: system, stepSize: stepSize)
    let trajectory = try integrator.integrate(from: PhaseState(q: q0, p: p0), steps: steps)
    let inverse = mass.inverse
    return (trajectory.states.map(\.q), trajectory.states.map { inverse * $0.p })
  }

  /// As ``trajectory(position:momentum:steps:)``, with NaN rows after a failure, for the
  /// differentiable rollouts (which cannot throw; the training loss then reports the NaN).
  func trajectoryOrNaN(position q0: [Double], momentum p0: [Double], steps: Int)
    -> (positions: [[Double]], velocities: [[Double]])
  {
    do {
      return try trajectory(position: q0, momentum: p0, steps: steps)
    } catch {
      let nan = Array(repeating: Double.nan, count: q0.count)
      return (
        Array(repeating: nan, count: steps + 1), Array(repeating: nan, count: steps + 1)
      )
    }
  }

  /// `M v`.
  func momentum(_ v: [Double]) -> [Double] { mass.mass * v }

  /// `∇V(q)` and the pullback of `(θ, q) ↦ ∇V_θ(q)` there.
  func gradientPullback(at q: [Double]) -> (
    value: [Double],
    pullback: ([Double].TangentVector) -> (Potential.TangentVector, [Double].TangentVector)
  ) {
    valueWithPullback(at: potential, q) { potential, q in potential.gradient(at: q) }
  }

  /// A forecast from `(q₀, q̇₀)` with the learned energy `½ q̇ᵀMq̇ + V(q)`.
  func forecast(position q0: [Double], velocity v0: [Double], steps: Int)
    throws(LearningError) -> Forecast
  {
    let n = potential.dimension
    guard q0.count == n else { throw .dimensionMismatch(name: "q0", expected: n, actual: q0.count) }
    guard v0.count == n else { throw .dimensionMismatch(name: "v0", expected: n, actual: v0.count) }
    let system = self.system
    do throws(IntegrationError) {
      let (positions, velocities) = try trajectory(
        position: q0, momentum: momentum(v0), steps: steps)
      let energies = zip(positions, velocities).map { q, v in
        system.energy(PhaseState(q: q, p: mass.mass * v))
      }
      return Forecast(
        times: (0...steps).map { Double($0) * stepSize }, positions: positions,
        velocities: velocities, energies: energies)
    } catch {
      throw .integrationFailed(error)
    }
  }
}

/// `y += a x`.
@inlinable
func axpy(_ a: Double, _ x: [Double], _ y: inout [Double]) {
  for i in y.indices { y[i] += a * x[i] }
}

/// `W x` for the row-major n×n `W`.
@inlinable
func product(_ w: Matrix, _ x: [Double]) -> [Double] { w * x }

/// `W̄ += a u vᵀ` (row-major n×n).
@inlinable
func accumulateOuter(_ a: Double, _ u: [Double], _ v: [Double], _ wBar: inout [Double]) {
  let n = u.count
  for i in 0..<n {
    for j in 0..<n { wBar[i * n + j] += a * u[i] * v[j] }
  }
}
