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
    let depths = (ProcessInfo.processInfo.environment["VINKIT_BENCHMARK_DEPTHS"] ?? "1,2")
      .split(separator: ",").compactMap { Int($0) }
    for depth in depths {
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

  /// RMS over 200 points spanning the observed q range of `M⁻¹∇V(q) − (g/l) sin q`, the
  /// error of the learned acceleration (V and M are identifiable only up to a common scale).
  static func accelerationError<Potential: LearnablePotential, Mass: LearnableMassMatrix>(
    potential: Potential, mass: Mass, data: [ObservedTrajectory]
  ) -> Double {
    let qs = data.flatMap { $0.positions.map { $0[0] } }
    let low = qs.min() ?? 0
    let high = qs.max() ?? 0
    let m = mass.entries()[0]
    var sum = 0.0
    for i in 0..<200 {
      let q = low + (high - low) * Double(i) / 199
      let error = potential.gradient(at: [q])[0] / m - 9.81 * sin(q)
      sum += error * error
    }
    return (sum / 200).squareRoot()
  }

  /// Fits VIN-VV (inferred and naive starts), VIN-SV and a ResNet (width 1000, depth 1, tanh,
  /// horizon 20, Adam 1e-3) and prints forecast MSE, energy drift and acceleration error.
  static func compare(
    _ setting: String, trajectories: Int, noise: Double, batchSize: Int, seed: UInt64
  ) throws {
    let environment = ProcessInfo.processInfo.environment
    let iterations = Int(environment["VINKIT_BENCHMARK_ITERATIONS"] ?? "") ?? 3000
    let batchSize = Int(environment["VINKIT_BENCHMARK_BATCH"] ?? "") ?? batchSize
    let selected = environment["VINKIT_BENCHMARK_MODELS"].map {
      $0.split(separator: ",").map(String.init)
    }
    func wanted(_ name: String) -> Bool { selected?.contains(name) ?? true }
    let data = try noisyPendulum(
      trajectories: trajectories, points: 30, noise: noise, seed: seed)
    var generator = SeededGenerator(seed: seed)
    let potential = try MLPPotential(
      dimension: 1, width: 1000, depth: 1, activation: .tanh, generator: &generator)
    let vin = try VINVelocityVerlet(
      potential: potential, mass: ConstantMassMatrix(dimension: 1), stepSize: 0.1)
    let sv = try VINStormerVerlet(
      potential: potential, mass: ConstantMassMatrix(dimension: 1), stepSize: 0.1)
    let resnet = try BaselineModel(
      architecture: .residual, dimension: 1, width: 1000, depth: 1, activation: .tanh,
      stepSize: 0.1, generator: &generator)
    func report(
      _ name: String, _ score: Score, _ summary: TrainingSummary, _ seconds: Double,
      _ force: Double?
    ) {
      print(
        "\(setting) seed \(seed) | \(name) | forecast MSE \(score.forecastError) | energy drift \(score.energyDrift) | accel. RMS error \(force.map { "\($0)" } ?? "-") | σ \(summary.noiseScale ?? .nan) | \(seconds) s"
      )
      #expect(score.forecastError.isFinite || name == "ResNet")
    }
    func fit<Model: RolloutModel>(_ model: Model, _ starts: InitialStateInference) throws
      -> (Model, Score, TrainingSummary, Double)
    {
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
      return (result.model, try score(result.model, testSeed: 1000 + seed), result.summary, seconds)
    }
    if wanted("vin-vv") {
      let (model, score, summary, seconds) = try fit(vin, .learned)
      report(
        "VIN-VV", score, summary, seconds,
        accelerationError(potential: model.potential, mass: model.mass, data: data))
    }
    if wanted("vin-vv-naive") {
      let (model, score, summary, seconds) = try fit(vin, .firstObservation)
      report(
        "VIN-VV naive start", score, summary, seconds,
        accelerationError(potential: model.potential, mass: model.mass, data: data))
    }
    if wanted("vin-sv") {
      let (model, score, summary, seconds) = try fit(sv, .learned)
      report(
        "VIN-SV", score, summary, seconds,
        accelerationError(potential: model.potential, mass: model.mass, data: data))
    }
    if wanted("resnet") {
      let (_, score, summary, seconds) = try fit(resnet, .learned)
      report("ResNet", score, summary, seconds, nil)
    }
  }

  @Test("noisy pendulum, VIN paper setting: 1 trajectory × 30 points, σ = 0.33")
  func noisyPendulumComparison() throws {
    try Self.compare("paper", trajectories: 1, noise: 0.33, batchSize: 10, seed: 1)
  }

  @Test("data-rich pendulum: 25 trajectories × 30 points, σ = 0.1")
  func dataRichPendulumComparison() throws {
    try Self.compare("data-rich", trajectories: 25, noise: 0.1, batchSize: 32, seed: 1)
  }
}
