// LearnPendulum: a Variational Integrator Network learns a pendulum from noisy observations
// and forecasts it far better than a residual network trained on the same data with the same
// budget, because every forecast of a VIN is the trajectory of a discrete mechanical system.
//
// The setting is the noisy pendulum of Saemundsson et al., Variational Integrator Networks
// (AISTATS 2020), data-rich: m = l = 1, g = 9.81, sampled every h = 0.1, noise N(0, 0.1²) on
// the angle and the angular velocity. Both models are fitted by the same trainer, forecast
// 100 steps from fresh true initial states, and compared by mean squared error and by the
// drift of the true energy along their forecasts.
//
//     swift run -c release LearnPendulum [learn-pendulum.svg]

import FileOutput
import Foundation
import Plotting
import VINKit

// MARK: 1. Data

let gravity = 9.81
let stepSize = 0.1
let noise = 0.1
let trainingTrajectories = 25
let samplesPerTrajectory = 30
let testTrajectories = 10
let forecastSteps = 100

let pendulum = try Pendulum(mass: 1, length: 1, gravity: gravity)

/// The true energy ½ q̇² − g cos q (m = l = 1).
func trueEnergy(_ q: Double, _ v: Double) -> Double { 0.5 * v * v - gravity * cos(q) }

/// An initial state of the paper: |q0| ∈ (π/2, π − 0.1) with a random sign, q̇0 ∈ (−1, 1).
func initialState(_ generator: inout SeededGenerator) -> (q: Double, v: Double) {
  let magnitude = Double.pi / 2 + generator.nextUniform() * (Double.pi / 2 - 0.1)
  let sign: Double = generator.nextUniform() < 0.5 ? -1 : 1
  return (sign * magnitude, 2 * generator.nextUniform() - 1)
}

/// The exact motion sampled every h: Störmer–Verlet with step h/50 (energy error ~1e-6).
func truth(from start: (q: Double, v: Double), samples: Int) throws -> (q: [Double], v: [Double]) {
  let substeps = 50
  var verlet = try StormerVerlet(system: pendulum, stepSize: stepSize / Double(substeps))
  let trajectory = try verlet.integrate(
    from: try pendulum.state(position: [start.q], velocity: [start.v]),
    steps: (samples - 1) * substeps, stride: substeps)
  return (trajectory.states.map { $0.q[0] }, trajectory.states.map { $0.p[0] })
}

var generator = SeededGenerator(seed: 2020)
let training = try (0..<trainingTrajectories).map { _ in
  let (q, v) = try truth(from: initialState(&generator), samples: samplesPerTrajectory)
  return try ObservedTrajectory(
    times: q.indices.map { Double($0) * stepSize },
    positions: q.map { [$0 + generator.nextNormal(standardDeviation: noise)] },
    velocities: v.map { [$0 + generator.nextNormal(standardDeviation: noise)] })
}
let tests = try (0..<testTrajectories).map { _ in
  try truth(from: initialState(&generator), samples: forecastSteps + 1)
}

// MARK: 2. Models and training

// The paper's network and optimiser for both: one hidden layer of 1000 tanh units, horizon 20,
// Adam from 1e-3 (cosine-decayed to 0), 3000 iterations, the same seed. The pendulum's angle lives on a circle, so both
// networks see it as (cos q, sin q): the VIN's MLP is the potential V(cos q, sin q) (2 inputs,
// 1 output) stepped by velocity Verlet with a learned constant mass; the ResNet's MLP is the
// vector field f(cos q, sin q, q̇) (3 inputs, 2 outputs) stepped by explicit Euler. A few
// training trajectories go over the top, and an MLP of the raw angle cannot follow them
// (Docs/Learning.md). The environment variables LEARN_PENDULUM_WIDTH, _ITERATIONS, _BATCH
// and _LEARNING_RATE override the defaults (for experiments; `make demo` uses the defaults).
func setting(_ name: String, _ value: Double) -> Double {
  ProcessInfo.processInfo.environment["LEARN_PENDULUM_" + name].flatMap(Double.init) ?? value
}
let width = Int(setting("WIDTH", 1000))
let configuration = {
  var configuration = TrainingConfiguration()
  configuration.horizon = 20
  configuration.iterations = Int(setting("ITERATIONS", 3000))
  configuration.batchSize = Int(setting("BATCH", 32))
  configuration.learningRate = setting("LEARNING_RATE", 1e-3)
  configuration.learningRateSchedule = .cosine
  configuration.seed = 1
  configuration.validationInterval = 100
  return configuration
}()

var weights = SeededGenerator(seed: 7)
let vin = try VINVelocityVerlet(
  potential: AngularMLPPotential(
    dimension: 1, width: width, depth: 1, activation: .tanh, generator: &weights),
  mass: ConstantMassMatrix(dimension: 1), stepSize: stepSize)
let resnet = try BaselineModel(
  architecture: .residual, dimension: 1, width: width, depth: 1, activation: .tanh,
  stepSize: stepSize, angularPositions: true, generator: &weights)

let clock = ContinuousClock()
func seconds(_ duration: Duration) -> Double {
  Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
}

/// Trains `model`, printing one progress line per tenth of the run.
func fit<Model: RolloutModel>(_ model: Model, name: String) throws -> Model {
  print(
    "Fitting \(name) (\(model.parameterCount) parameters, \(configuration.iterations) iterations)")
  let start = clock.now
  let result = try Trainer(configuration: configuration).train(model, on: training) { progress in
    if progress.iteration % (configuration.iterations / 5) == 0 { print("  \(progress)") }
    return .proceed
  }
  print(
    "  \(result.summary.stopReason), \(String(format: "%.1f", seconds(clock.now - start))) s")
  return result.model
}

let fittedVIN = try fit(vin, name: "VIN-VV")
let fittedResNet = try fit(resnet, name: "ResNet")

// MARK: 3. Forecasts from fresh initial states

struct Score {
  var meanSquaredError = 0.0
  var energyDrift = 0.0
  /// The mean squared error of each test trajectory.
  var errors: [Double] = []
  var forecasts: [Forecast] = []
}

/// Mean over test trajectories and steps 1…100 of (q̂ − q)² + (q̂̇ − q̇)², and the mean drift
/// (slope of block maxima) of the true energy along the forecasts.
func score(_ model: some RolloutModel) throws -> Score {
  var score = Score()
  for test in tests {
    let forecast = try model.forecast(
      position: [test.q[0]], velocity: [test.v[0]], steps: forecastSteps)
    var error = 0.0
    for k in 1...forecastSteps {
      let dq = forecast.positions[k][0] - test.q[k]
      let dv = forecast.velocities[k][0] - test.v[k]
      error += (dq * dq + dv * dv) / Double(forecastSteps)
    }
    score.errors.append(error)
    score.meanSquaredError += error / Double(tests.count)
    let energies = (0...forecastSteps).map {
      trueEnergy(forecast.positions[$0][0], forecast.velocities[$0][0])
    }
    let drift = EnergyDrift(times: forecast.times, values: energies)
    score.energyDrift += (drift?.slope ?? .nan) / Double(tests.count)
    score.forecasts.append(forecast)
  }
  return score
}

let vinScore = try score(fittedVIN)
let resnetScore = try score(fittedResNet)

print("")
print("Each test trajectory: its energy E0 (the separatrix, over the top, is at E = g = 9.81)")
print("E0        VIN-VV error   ResNet error")
for (index, test) in tests.enumerated() {
  print(
    String(
      format: "%-9.4f %-14.4g %.4g", trueEnergy(test.q[0], test.v[0]), vinScore.errors[index],
      resnetScore.errors[index]))
}
print("")
print("Forecasts of \(forecastSteps) steps from \(testTrajectories) fresh initial states")
/// The median of the per-trajectory errors: one test state at the separatrix, where no
/// learned model can tell rotation from libration, does not decide it.
func median(_ values: [Double]) -> Double {
  let sorted = values.sorted()
  return 0.5 * (sorted[(sorted.count - 1) / 2] + sorted[sorted.count / 2])
}
print("model     mean squared error   median   true-energy drift (per unit time)")
for (name, result) in [("VIN-VV", vinScore), ("ResNet", resnetScore)] {
  print(
    name.padding(toLength: 10, withPad: " ", startingAt: 0)
      + String(
        format: "%-20.4g %-8.4g %.4g", result.meanSquaredError, median(result.errors),
        result.energyDrift))
}
print(
  String(
    format: "VIN-VV error / ResNet error = %.3f (mean), %.3f (median)",
    vinScore.meanSquaredError / resnetScore.meanSquaredError,
    median(vinScore.errors) / median(resnetScore.errors)))

// MARK: 4. The figure

let shown = 0
let test = tests[shown]
let times = (0...forecastSteps).map { Double($0) * stepSize }
let vinForecast = vinScore.forecasts[shown]
let resnetForecast = resnetScore.forecasts[shown]
func energies(_ forecast: Forecast) -> [Double] {
  (0...forecastSteps).map { trueEnergy(forecast.positions[$0][0], forecast.velocities[$0][0]) }
}
let figure = Figure(
  title: "Learning a pendulum from noisy data: VIN-VV versus ResNet",
  subtitle:
    "\(trainingTrajectories) trajectories of \(samplesPerTrajectory) samples, h = \(stepSize), noise σ = \(noise); MLP width \(width); forecast from a fresh initial state",
  panels: [
    Panel(
      title: "Angle forecast", xLabel: "time t", yLabel: "q (rad)",
      series: [
        Series(name: "truth", x: times, y: test.q, color: "#333333", isDashed: true),
        Series(name: "VIN-VV", x: times, y: vinForecast.positions.map { $0[0] }),
        Series(name: "ResNet", x: times, y: resnetForecast.positions.map { $0[0] }),
      ]),
    Panel(
      title: "True energy ½q̇² − g cos q along each forecast", xLabel: "time t", yLabel: "E",
      series: [
        Series(
          name: "truth", x: times, y: zip(test.q, test.v).map(trueEnergy), color: "#333333",
          isDashed: true),
        Series(name: "VIN-VV", x: times, y: energies(vinForecast)),
        Series(name: "ResNet", x: times, y: energies(resnetForecast)),
      ]),
  ])
let path = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "learn-pendulum.svg"
try AtomicFile.write(figure.svg(), to: path)
print("Wrote \(path)")
