// LearnRigidBody: learn the inertia and the gravity potential of a hanging heavy body from noisy
// attitudes with VIN-SO(3), and compare its 200-step forecasts with a ResNet's.
//
// Data: the heavy top of `vin simulate heavy-top` with its centre of mass below the pivot,
// ρ = (0, 0, −0.3), J = diag(0.13, 0.28, 0.17), m = 1, g = 9.81, stepped by SO3LGVI at
// h = 0.02; 20 training trajectories of 50 samples, attitude noise R ← R exp(ξ̂), ξ ~ N(0, 0.02²I),
// and Ω noise N(0, 0.02²). Both models are fitted to the 12-vector (R, Ω) with the same loss
// (MSE over 10-step rollouts from each window's first observation) and then forecast 200 steps
// from the true initial states of 10 fresh trajectories.
//
//     swift run -c release LearnRigidBody [learn-rigid-body.svg]

import FileOutput
import Foundation
import Plotting
import VINKit

// MARK: 1. Data

let h = 0.02
let truth = try HeavyTop(centreOfMass: Vector3(0, 0, -0.3))
let noise = 0.02
var generator = SeededGenerator(seed: 2026)

/// A random initial state: rotation vector with entries in (−0.8, 0.8), Ω in (−3, 3).
func randomStart(_ generator: inout SeededGenerator) -> (Vector3, Vector3) {
  func uniform(_ a: Double) -> Double { a * (2 * generator.nextUniform() - 1) }
  return (
    Vector3(uniform(0.8), uniform(0.8), uniform(0.8)), Vector3(uniform(3), uniform(3), uniform(3))
  )
}

/// The true states at k = 0…steps.
func simulate(_ start: (Vector3, Vector3), steps: Int) throws -> [RigidBodyState] {
  var integrator = try SO3LGVI(system: truth, stepSize: h)
  var state = try truth.state(rotationVector: start.0, angularVelocity: start.1)
  var states = [state]
  for _ in 0..<steps {
    try integrator.step(&state)
    states.append(state)
  }
  return states
}

/// Three independent N(0, σ²) draws.
func noiseVector(_ generator: inout SeededGenerator) -> Vector3 {
  Vector3(
    generator.nextNormal(standardDeviation: noise),
    generator.nextNormal(standardDeviation: noise),
    generator.nextNormal(standardDeviation: noise))
}

// Observed as rows (R11…R33, Ω): R exp(ξ̂) and Ω + η, drawn in the order ξ, η per sample.
let training = try (0..<20).map { _ in
  let states = try simulate(randomStart(&generator), steps: 49)
  var attitudes: [SO3] = []
  var angularVelocities: [Vector3] = []
  for state in states {
    attitudes.append(state.attitude * SO3.exp(noiseVector(&generator)))
    angularVelocities.append(truth.angularVelocity(of: state) + noiseVector(&generator))
  }
  return try ObservedTrajectory(
    times: states.indices.map { Double($0) * h }, attitudes: attitudes,
    angularVelocities: angularVelocities)
}
let testStarts = (0..<10).map { _ in randomStart(&generator) }

// MARK: 2. Fitting

var config = TrainingConfiguration()
config.horizon = 10
config.batchSize = 32
config.loss = .meanSquaredError
config.initialStates = .firstObservation
config.seed = 7
config.validationFraction = 0.1
// One cosine decay over each fit's iterations, the fixed budgets below. (`vin fit`'s default,
// restarts ended by the stopping rule, fits until the data say stop: on this heavy top up to
// 31 500 iterations of all 800 windows; Docs/Learning.md, "The training recipe", has its
// heavy-body row.)
config.learningRateSchedule = .cosine

let clock = ContinuousClock()
func seconds(_ d: Duration) -> Double {
  Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
}

var vinConfig = config
vinConfig.iterations = 2000
vinConfig.learningRate = 0.01
let vinStart = clock.now
let vin = try Trainer(configuration: vinConfig).train(
  VINSO3(stepSize: h, initialInertiaScale: 0.2), on: training
).model
let vinSeconds = seconds(clock.now - vinStart)

// The same VIN with a network potential U = f_θ(R) on the nine entries of R in place of e_zᵀRc.
var networkGenerator = SeededGenerator(seed: 11)
let mlpStart = clock.now
let vinMLP = try Trainer(configuration: vinConfig).train(
  VINSO3(
    stepSize: h,
    network: MultilayerPerceptron(
      shape: NetworkShape(
        inputDimension: 9, width: 32, depth: 2, outputDimension: 1, activation: .tanh),
      generator: &networkGenerator), initialInertiaScale: 0.2), on: training
).model
let mlpSeconds = seconds(clock.now - mlpStart)

var resnetConfig = config
resnetConfig.iterations = 4000
resnetConfig.learningRate = 1e-3
let resnetStart = clock.now
let resnet = try Trainer(configuration: resnetConfig).train(
  BaselineModel(
    architecture: .residual, dimension: 3, width: 100, depth: 2, activation: .tanh,
    stepSize: h, layout: .rigidBody, generator: &networkGenerator), on: training
).model
let resnetSeconds = seconds(clock.now - resnetStart)

// MARK: 3. Forecasts

let steps = 200
/// Mean over test trajectories of the geodesic error |log(R̂ᵀR)| and of |E(x̂_k) − E(x_0)| (true
/// energy function on the forecast), per step, from the rows x̂_k = (R̂_k, Ω̂_k) the model
/// predicts (`rollout(from:steps:)`, the rows it was trained on). The ResNet's R̂, which nothing
/// keeps on SO(3), is projected onto SO(3) for the geodesic error; where it has degenerated so
/// far that it has no projection, the error counts as π (the largest geodesic distance).
func score(_ model: any RolloutModel) throws -> (geodesic: [Double], energy: [Double]) {
  var geodesic = Array(repeating: 0.0, count: steps + 1)
  var energy = Array(repeating: 0.0, count: steps + 1)
  for start in testStarts {
    let states = try simulate(start, steps: steps)
    let w0 = truth.angularVelocity(of: states[0]).components
    let rows = model.rollout(from: states[0].attitude.matrix.entries + w0, steps: steps)
    let e0 =
      truth.potential(at: states[0].attitude) + 0.5 * w0[0] * states[0].angularMomentum.x
      + 0.5 * w0[1] * states[0].angularMomentum.y + 0.5 * w0[2] * states[0].angularMomentum.z
    for k in 0...steps {
      let x = Array(rows[(12 * k)..<(12 * k + 12)])
      let matrix = Matrix3(x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7], x[8])
      let w = Vector3(x[9], x[10], x[11])
      let distance: Double
      do {
        let r = try SO3(projecting: matrix)
        distance = (r.inverse() * states[k].attitude).log().norm
      } catch {
        distance = Double.pi
      }
      geodesic[k] += distance / Double(testStarts.count)
      // U = m g e_zᵀRρ on the raw forecast matrix.
      let e =
        truth.m * truth.gravity * matrix.row2.dot(truth.centreOfMass)
        + 0.5 * w.dot(truth.inertia * w)
      energy[k] += abs(e - e0) / Double(testStarts.count)
    }
  }
  return (geodesic, energy)
}

let vinScore = try score(vin)
let mlpScore = try score(vinMLP)
let resnetScore = try score(resnet)

func mean(_ x: [Double]) -> Double { x.reduce(0, +) / Double(x.count) }
func format(_ x: Double) -> String { String(format: "%.4g", x) }
// Scaling J and U by the same factor leaves the dynamics unchanged, so only J/|c| is identified:
// the learned J is reported rescaled by |c_true|/|ĉ|.
let c = vin.potential.c
let cTrue = truth.m * truth.gravity * truth.centreOfMass
let j = (cTrue.norm / c.norm) * vin.inertia
func pad(_ text: String, _ width: Int) -> String {
  text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
}
func row(_ name: String, _ score: (geodesic: [Double], energy: [Double]), _ fit: Double) -> String {
  pad(name, 11) + pad(format(mean(score.geodesic)), 14) + pad(format(score.geodesic[steps]), 14)
    + pad(format(mean(score.energy)), 12) + pad(format(score.energy[steps]), 12)
    + String(format: "%.1f", fit)
}
print(
  """
  Heavy top hanging (ρ = (0, 0, −0.3)), h = \(h): 20 noisy trajectories of 50 samples, \
  noise \(noise); 200-step forecasts from 10 fresh true initial states.

  VIN-SO(3) learned c = m g ρ = (\(format(c.x)), \(format(c.y)), \(format(c.z))); \
  true (0, 0, −2.943)
  VIN-SO(3) learned J · |c_true|/|ĉ| = diag(\(format(j[0, 0])), \(format(j[1, 1])), \
  \(format(j[2, 2]))), largest off-diagonal \(format(max(abs(j[0, 1]), abs(j[0, 2]), abs(j[1, 2])))); \
  true diag(0.13, 0.28, 0.17)

  model      geodesic error (rad)        |E − E(0)|              fit (s)
             mean          step 200      mean        step 200
  """)
print(row("VIN-SO(3)", vinScore, vinSeconds))
print(row("VIN-MLP", mlpScore, mlpSeconds))
print(row("ResNet", resnetScore, resnetSeconds))

// MARK: 4. The plot

let stepAxis = (1...steps).map(Double.init)
func series(_ name: String, _ values: [Double]) -> Series {
  Series(name: name, x: stepAxis, y: Array(values[1...]))
}
let figure = Figure(
  title: "Learning a hanging heavy top on SO(3)",
  subtitle: "20 noisy trajectories of 50 steps, h = 0.02; mean over 10 test trajectories",
  panels: [
    Panel(
      title: "Attitude error of the forecast", xLabel: "step", yLabel: "|log(R̂ᵀR)| (rad)",
      yScale: .logarithmic,
      series: [
        series("VIN-SO(3)", vinScore.geodesic), series("VIN-SO(3), MLP U", mlpScore.geodesic),
        series("ResNet", resnetScore.geodesic),
      ]),
    Panel(
      title: "Energy error of the forecast (true energy function)", xLabel: "step",
      yLabel: "|E − E(0)|", yScale: .logarithmic,
      series: [
        series("VIN-SO(3)", vinScore.energy), series("VIN-SO(3), MLP U", mlpScore.energy),
        series("ResNet", resnetScore.energy),
      ]),
  ], panelHeight: 320)
let path = CommandLine.arguments.dropFirst().first ?? "learn-rigid-body.svg"
try AtomicFile.write(figure.svg(), to: path)
print("\nwrote \(path)")
