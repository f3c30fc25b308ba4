import DiscreteMechanics
import Foundation
import LagrangianLearning
import Testing

/// Release-build measurements, run with `VINKIT_BENCHMARK=1 swift test -c release --filter Benchmark`.
@Suite(
  "Benchmarks (VINKIT_BENCHMARK=1, release)",
  .enabled(if: ProcessInfo.processInfo.environment["VINKIT_BENCHMARK"] != nil))
struct BenchmarkTests {
  /// The VIN paper's noisy pendulum: m = l = 1, g = 9.81, h = 0.1, |q0| ∈ (π/2, π − 0.1) with
  /// random sign, q̇0 ∈ (−1, 1), noise N(0, σ²) on q and q̇.
  static func noisyPendulum(trajectories: Int, points: Int, noise: Double, seed: UInt64) throws
    -> [ObservedTrajectory]
  {
    var generator = SeededGenerator(seed: seed)
    return try (0..<trajectories).map { _ in
      let magnitude = Double.pi / 2 + (Double.pi / 2 - 0.1) * generator.nextUniform()
      let q0 = (generator.nextUniform() < 0.5 ? -1 : 1) * magnitude
      return try verletData(
        Pendulum(), q0: [q0], v0: [2 * generator.nextUniform() - 1], stepSize: 0.1,
        steps: points - 1, noise: noise, generator: &generator)
    }
  }

  /// Wall-clock and process CPU milliseconds per iteration (the CPU time, summed over both
  /// shards' threads, is less disturbed by other processes on a shared machine).
  static func milliseconds<Model: RolloutModel>(
    _ model: Model, data: [ObservedTrajectory], iterations: Int
  ) throws -> (wall: Double, cpu: Double) {
    var config = TrainingConfiguration()
    config.horizon = 20
    config.iterations = iterations
    config.batchSize = 10
    config.validationInterval = iterations + 1
    let start = Date()
    let cpuStart = clock()
    let result = try Trainer(configuration: config).train(model, on: data)
    let cpu = Double(clock() - cpuStart) / Double(CLOCKS_PER_SEC)
    #expect(result.summary.stopReason == .completed)
    return (
      Date().timeIntervalSince(start) * 1000 / Double(iterations),
      cpu * 1000 / Double(iterations)
    )
  }

  @Test("ms per training iteration, noisy pendulum, width 1000 tanh, horizon 20, 30 points")
  func iterationTime() throws {
    let data = try Self.noisyPendulum(trajectories: 1, points: 30, noise: 0.33, seed: 1)
    for depth in [1, 2] {
      var generator = SeededGenerator(seed: 0)
      let vin = try VINVelocityVerlet(
        potential: MLPPotential(
          dimension: 1, width: 1000, depth: depth, activation: .tanh, generator: &generator),
        mass: ConstantMassMatrix(dimension: 1), stepSize: 0.1)
      let resnet = try BaselineModel(
        architecture: .residual, dimension: 1, width: 1000, depth: depth, activation: .tanh,
        stepSize: 0.1, generator: &generator)
      let iterations = depth == 1 ? 200 : 10
      let vinTime = try Self.milliseconds(vin, data: data, iterations: iterations)
      let resnetTime = try Self.milliseconds(resnet, data: data, iterations: iterations)
      print(
        "depth \(depth): VIN-VV \(vinTime.wall) ms/iteration (CPU \(vinTime.cpu) ms), ResNet \(resnetTime.wall) ms/iteration (CPU \(resnetTime.cpu) ms)"
      )
    }
  }
}

extension BenchmarkTests {
  struct Score {
    /// Mean over trajectories and steps of the squared error summed over (q, q̇).
    var forecastError = 0.0
    /// Mean over trajectories of max_k |E_true(x_k) − E_true(x_0)| of the forecast.
    var energyDrift = 0.0
  }

  static func score(_ model: some RolloutModel, testSeed: UInt64, steps: Int = 100) throws
    -> Score
  {
    var generator = SeededGenerator(seed: testSeed)
    let pendulum = try Pendulum()
    var score = Score()
    let count = 10
    for _ in 0..<count {
      let magnitude = Double.pi / 2 + (Double.pi / 2 - 0.1) * generator.nextUniform()
      let q0 = (generator.nextUniform() < 0.5 ? -1 : 1) * magnitude
      let v0 = 2 * generator.nextUniform() - 1
      var fine = try StormerVerlet(system: pendulum, stepSize: 0.001)
      let truth = try fine.integrate(
        from: pendulum.state(position: [q0], velocity: [v0]), steps: steps * 100, stride: 100)
      let forecast = try model.forecast(position: [q0], velocity: [v0], steps: steps)
      let e0 = pendulum.energy(truth.states[0])
      var error = 0.0
      var drift = 0.0
      for k in 1...steps {
        let dq = forecast.positions[k][0] - truth.states[k].q[0]
        let dv = forecast.velocities[k][0] - truth.states[k].p[0]
        error += dq * dq + dv * dv
        let e = try pendulum.energy(
          pendulum.state(position: forecast.positions[k], velocity: forecast.velocities[k]))
        drift = max(drift, abs(e - e0))
      }
      score.forecastError += error / Double(steps * count)
      score.energyDrift += drift / Double(count)
    }
    return score
  }

  static func fitAndScore(
    _ model: some RolloutModel, data: [ObservedTrajectory], starts: InitialStateInference,
    iterations: Int, batchSize: Int, seed: UInt64
  ) throws -> (Score, TrainingSummary, Double) {
    var config = TrainingConfiguration()
    config.horizon = 20
    config.iterations = iterations
    config.batchSize = batchSize
    config.learningRate = 1e-3
    config.validationInterval = 50
    config.initialStates = starts
    config.seed = seed
    let start = Date()
    let result = try Trainer(configuration: config).train(model, on: data)
    let seconds = Date().timeIntervalSince(start)
    return (try score(result.model, testSeed: 1000 + seed), result.summary, seconds)
  }

  @Test("noisy pendulum (1 × 30 points, σ = 0.33): VIN-VV learned vs naive starts vs ResNet")
  func noisyPendulumComparison() throws {
    let iterations =
      Int(ProcessInfo.processInfo.environment["VINKIT_BENCHMARK_ITERATIONS"] ?? "") ?? 3000
    for seed: UInt64 in [1] {
      let data = try Self.noisyPendulum(trajectories: 1, points: 30, noise: 0.33, seed: seed)
      var generator = SeededGenerator(seed: seed)
      let vin = try VINVelocityVerlet(
        potential: MLPPotential(
          dimension: 1, width: 1000, depth: 1, activation: .tanh, generator: &generator),
        mass: ConstantMassMatrix(dimension: 1), stepSize: 0.1)
      let resnet = try BaselineModel(
        architecture: .residual, dimension: 1, width: 1000, depth: 1, activation: .tanh,
        stepSize: 0.1, generator: &generator)
      for (name, run) in [
        (
          "VIN-VV learned starts",
          {
            try Self.fitAndScore(
              vin, data: data, starts: .learned, iterations: iterations, batchSize: 10, seed: seed)
          }
        ),
        (
          "VIN-VV naive starts",
          {
            try Self.fitAndScore(
              vin, data: data, starts: .firstObservation, iterations: iterations, batchSize: 10,
              seed: seed)
          }
        ),
        (
          "ResNet learned starts",
          {
            try Self.fitAndScore(
              resnet, data: data, starts: .learned, iterations: iterations, batchSize: 10,
              seed: seed)
          }
        ),
      ] as [(String, () throws -> (Score, TrainingSummary, Double))] {
        let (score, summary, seconds) = try run()
        print(
          "seed \(seed) \(name): forecast MSE \(score.forecastError), true-energy drift \(score.energyDrift), best loss \(summary.bestLoss) at \(summary.bestIteration), σ \(summary.noiseScale ?? .nan), \(seconds) s"
        )
        #expect(score.forecastError.isFinite || name.hasPrefix("ResNet"))
      }
    }
  }
}
