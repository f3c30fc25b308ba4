// The code of Docs/YourOwnModel.md, block by block: the text between two marker lines is one
// ```swift block of the guide, character for character (YourOwnModelGuideTests checks it), so
// every snippet of the guide is compiled, and run, by the test suite. Edit both together.

// MARK: - Guide block

import Foundation
import VINKit
import _Differentiation

// MARK: - Guide block

/// The Duffing oscillator, a mass m on a hardening spring:
///
///     L = ½ m q̇² − V(q),    V(q) = ½ k q² + ¼ λ q⁴,    ∇V = k q + λ q³.
struct DuffingOscillator: ConstantMassSystem {
  /// The constant mass matrix M = (m): the only mass a ConstantMassSystem gives.
  let mass: Matrix
  let stiffness: Double
  let hardening: Double

  init(mass m: Double = 1, stiffness k: Double = 1, hardening λ: Double = 0.5) {
    mass = .diagonal([m])
    stiffness = k
    hardening = λ
  }

  var dimension: Int { 1 }

  func potential(at q: [Double]) -> Double {
    let x = q[0]
    return 0.5 * stiffness * x * x + 0.25 * hardening * x * x * x * x
  }

  func potentialGradient(at q: Span<Double>, into gradient: inout MutableSpan<Double>) {
    let x = q[0]
    gradient[0] = stiffness * x + hardening * x * x * x
  }
}

// MARK: - Guide block

/// The largest energy error of 10 000 Störmer–Verlet steps (h = 0.05) from q = 1.5 at rest.
func duffingEnergyError() throws -> Double {
  let system = DuffingOscillator()
  var verlet = try StormerVerlet(system: system, stepSize: 0.05)
  let start = try system.state(position: [1.5], velocity: [0])
  let trajectory = try verlet.integrate(from: start, steps: 10_000)
  let energies = trajectory.states.map { system.energy($0) }
  return energies.map { abs($0 - energies[0]) }.max() ?? .nan
}

// MARK: - Guide block

/// The spherical pendulum: a mass m on a rod of length l, polar angle θ from the downward
/// vertical and azimuth φ, q = (θ, φ):
///
///     L = ½ m l² (θ̇² + sin²θ φ̇²) + m g l cos θ,    M(q) = m l² diag(1, sin²θ).
struct SphericalPendulum: LagrangianSystem {
  var m = 1.0
  var length = 1.0
  var gravity = 9.81

  var dimension: Int { 2 }

  func potential(at q: [Double]) -> Double { -m * gravity * length * cos(q[0]) }

  func potentialGradient(at q: Span<Double>, into gradient: inout MutableSpan<Double>) {
    gradient[0] = m * gravity * length * sin(q[0])
    gradient[1] = 0
  }

  func massMatrix(at q: [Double]) -> Matrix {
    let inertia = m * length * length
    return .diagonal([inertia, inertia * sin(q[0]) * sin(q[0])])
  }

  /// `∂M/∂θ = m l² diag(0, 2 sin θ cos θ)`; M does not depend on φ.
  func massMatrixDerivative(at q: [Double], coordinate i: Int) -> Matrix {
    let inertia = m * length * length
    return .diagonal([0, i == 0 ? 2 * inertia * sin(q[0]) * cos(q[0]) : 0])
  }
}

// MARK: - Guide block

/// 2000 variational-midpoint steps (h = 0.01) of a swing that circles the vertical: the largest
/// changes of the energy and of the vertical angular momentum `p_φ`.
func sphericalPendulumErrors() throws -> (energy: Double, verticalMomentum: Double) {
  let system = SphericalPendulum()
  var midpoint = try VariationalMidpoint(system: system, stepSize: 0.01)
  let start = try system.state(position: [1.0, 0], velocity: [0, 2.0])
  let states = try midpoint.integrate(from: start, steps: 2000).states
  let energy = states.map { abs(system.energy($0) - system.energy(start)) }.max() ?? .nan
  let momentum = states.map { abs($0.p[1] - start.p[1]) }.max() ?? .nan
  return (energy, momentum)
}

// MARK: - Guide block

/// A satellite's attitude in the gravity gradient of a planet in the fixed world direction e
/// (the orbital motion neglected), with k = 3μ/r³ and b = Rᵀe, the direction of e in the body
/// frame:
///
///     U(R) = (k/2) bᵀ J b,    M(R) = k b × (J b).
///
/// The moment follows from the rule `Ŝ(M) = (∂U/∂R)ᵀ R − Rᵀ (∂U/∂R)`: here `∂U/∂R = k e (Jb)ᵀ`,
/// so `(∂U/∂R)ᵀ R = k (Jb) bᵀ` and `Rᵀ (∂U/∂R) = k b (Jb)ᵀ`, and `ρ vᵀ − v ρᵀ = (v × ρ)^`.
struct GravityGradientSatellite: RigidBodySystem {
  let inertia: Matrix3
  let k: Double
  let direction: Vector3

  func potential(at attitude: SO3) -> Double {
    let b = attitude.matrix.transposeTimes(direction)
    return 0.5 * k * b.dot(inertia * b)
  }

  func moment(at attitude: SO3) -> Vector3 {
    let b = attitude.matrix.transposeTimes(direction)
    return k * b.cross(inertia * b)
  }
}

// MARK: - Guide block

/// The largest difference, over the body axes eᵢ, between the moment `M(R)·eᵢ` and the central
/// difference `−[U(R exp(ε eᵢ)) − U(R exp(−ε eᵢ))] / (2ε)`: a few 1e-10 when `moment` follows
/// from `potential` by the rule.
func momentCheck(_ body: some RigidBodySystem, at attitude: SO3, epsilon: Double = 1e-5)
  -> Double
{
  let moment = body.moment(at: attitude)
  var worst = 0.0
  for i in 0..<3 {
    var step = Vector3.zero
    step[i] = epsilon
    let slope =
      (body.potential(at: attitude.retract(step)) - body.potential(at: attitude.retract(-step)))
      / (2 * epsilon)
    worst = max(worst, abs(moment[i] + slope))
  }
  return worst
}

/// 2000 LGVI steps (h = 0.01) of a tumbling satellite: the largest changes of the energy and of
/// the angular momentum about e, `eᵀRΠ` (rotations about e are a symmetry of U).
func satelliteErrors() throws -> (energy: Double, momentumAboutE: Double) {
  let satellite = GravityGradientSatellite(
    inertia: Matrix3(diagonal: Vector3(1, 2, 2.5)), k: 3, direction: Vector3(0, 0, 1))
  var lgvi = try SO3LGVI(system: satellite, stepSize: 0.01)
  let start = try satellite.state(
    rotationVector: Vector3(0.3, -0.2, 0.5), angularVelocity: Vector3(0.1, 0.8, -0.4))
  let states = try lgvi.integrate(from: start, steps: 2000).states
  func momentumAboutE(_ state: RigidBodyState) -> Double {
    satellite.direction.dot(satellite.spatialAngularMomentum(state))
  }
  let energy = states.map { abs(satellite.energy($0) - satellite.energy(start)) }.max() ?? .nan
  let momentum = states.map { abs(momentumAboutE($0) - momentumAboutE(start)) }.max() ?? .nan
  return (energy, momentum)
}

// MARK: - Guide block

/// The Duffing oscillator's exact motion from `(q₀, 0)` sampled every h = 0.1: Störmer–Verlet
/// with step h/10, every tenth state kept (positions and velocities).
func duffingTruth(from q0: Double, samples: Int) throws -> (q: [Double], v: [Double]) {
  let system = DuffingOscillator()
  var verlet = try StormerVerlet(system: system, stepSize: 0.01)
  let start = try system.state(position: [q0], velocity: [0])
  let states = try verlet.integrate(from: start, steps: 10 * (samples - 1), stride: 10).states
  return (states.map { $0.q[0] }, states.map { $0.p[0] / system.mass[0, 0] })
}

/// A trajectory of `samples` observations from each of `starts` (q₀ at rest), with Gaussian
/// noise of standard deviation `noise` on q and q̇.
func duffingObservations(starts: [Double], samples: Int, noise: Double, seed: UInt64) throws
  -> [ObservedTrajectory]
{
  var generator = SeededGenerator(seed: seed)
  return try starts.map { q0 in
    let truth = try duffingTruth(from: q0, samples: samples)
    return try ObservedTrajectory(
      times: truth.q.indices.map { 0.1 * Double($0) },
      positions: truth.q.map { [$0 + generator.nextNormal(standardDeviation: noise)] },
      velocities: truth.v.map { [$0 + generator.nextNormal(standardDeviation: noise)] })
  }
}

/// The mean squared error of a 50-step forecast of `model` from q₀ = 1.1 at rest (inside the
/// range of the data) against the truth, over positions and velocities of steps 1…50.
func forecastError(_ model: some RolloutModel) throws -> Double {
  let truth = try duffingTruth(from: 1.1, samples: 51)
  let forecast = try model.forecast(position: [truth.q[0]], velocity: [truth.v[0]], steps: 50)
  var error = 0.0
  for k in 1...50 {
    let dq = forecast.positions[k][0] - truth.q[k]
    let dv = forecast.velocities[k][0] - truth.v[k]
    error += (dq * dq + dv * dv) / 50
  }
  return error
}

// MARK: - Guide block

/// Fits a VIN (velocity Verlet on `L = ½ q̇ᵀMq̇ − V(q)` with an MLP potential and a learned
/// constant mass) to noisy Duffing data: the forecast error before and after, and the loss of
/// every iteration.
func fitDuffing(iterations: Int = 300) throws -> (before: Double, after: Double, losses: [Double]) {
  let data = try duffingObservations(
    starts: [-1.5, -0.8, 0.6, 1.4], samples: 40, noise: 0.02, seed: 1)
  var weights = SeededGenerator(seed: 2)
  let model = try VINVelocityVerlet(
    potential: MLPPotential(
      dimension: 1, width: 16, depth: 1, activation: .tanh, generator: &weights),
    mass: ConstantMassMatrix(dimension: 1), stepSize: 0.1)

  var configuration = TrainingConfiguration()
  configuration.iterations = iterations
  configuration.learningRate = 1e-2
  var losses: [Double] = []
  let result = try Trainer(configuration: configuration).train(model, on: data) { progress in
    losses.append(progress.loss)
    if progress.iteration % 100 == 0 { print(progress) }
    return .proceed  // or .stop: end now and keep the best model so far
  }
  return (try forecastError(model), try forecastError(result.model), losses)
}

// MARK: - Guide block

/// `V(q) = ½ k q² + ¼ λ q⁴` on R¹ with learnable stiffness k and hardening λ.
struct QuarticPotential: LearnablePotential {
  var stiffness: Double
  var hardening: Double
  @noDerivative let dimension = 1

  var parameterCount: Int { 2 }
  var flatParameters: [Double] {
    get { [stiffness, hardening] }
    set {
      stiffness = newValue[0]
      hardening = newValue[1]
    }
  }
  func flatten(_ tangent: TangentVector) -> [Double] { [tangent.stiffness, tangent.hardening] }

  @differentiable(reverse)
  func energy(at q: [Double]) -> Double {
    let x = q[0]
    return 0.5 * stiffness * x * x + 0.25 * hardening * x * x * x * x
  }

  @differentiable(reverse)
  func gradient(at q: [Double]) -> [Double] {
    let x = q[0]
    return [stiffness * x + hardening * x * x * x]
  }
}

// MARK: - Guide block

/// Fits k and λ of a ``QuarticPotential`` (with M = 1, as in the data) to noisy Duffing data,
/// starting from k = 0.5, λ = 0.
func fitQuartic(iterations: Int = 300) throws -> QuarticPotential {
  let data = try duffingObservations(
    starts: [-1.5, -0.8, 0.6, 1.4], samples: 40, noise: 0.02, seed: 1)
  let model = try VINVelocityVerlet(
    potential: QuarticPotential(stiffness: 0.5, hardening: 0),
    mass: IdentityMassMatrix(dimension: 1), stepSize: 0.1)
  var configuration = TrainingConfiguration()
  configuration.iterations = iterations
  configuration.learningRate = 2e-2
  return try Trainer(configuration: configuration).train(model, on: data).model.potential
}
