import DiscreteMechanics
import Foundation
import LagrangianLearning
import Testing

/// Release-build measurements of Docs/Learning.md, run with
/// `VINKIT_BENCHMARK=1 swift test -c release -Xswiftc -enable-testing --filter Benchmark`.
///
/// Environment: `VINKIT_BENCHMARK_SEEDS` (default `1,2,3`), `_ITERATIONS` (3000), `_BATCH`
/// (each setting's default), `_MODELS` (`vin-vv,vin-vv-naive,vin-sv,vin-vv-angular,resnet,
/// resnet-angular`), `_SCHEDULE` (`constant` or `cosine`), `_LEARNING_RATE` (1e-3),
/// `_HORIZON` (20), `_DEPTHS` (`1,2`,
/// timing only), `_PEER_DIRECTORY` (write the JAX peer's inputs there and time VIN-VV,
/// see Benchmarks/peers/run.sh), `_PEER_ITERATIONS` (300), `_TRACE` (print the progress line every this many iterations).
@Suite(
  "Benchmarks (VINKIT_BENCHMARK=1, release)",
  .enabled(if: ProcessInfo.processInfo.environment["VINKIT_BENCHMARK"] != nil))
struct BenchmarkTests {
  static let environment = ProcessInfo.processInfo.environment

  static func integers(_ name: String, default value: String) -> [Int] {
    (environment[name] ?? value).split(separator: ",").compactMap { Int($0) }
  }

  /// The pendulum's exact flow, to plotting accuracy: Störmer–Verlet at h/100 = 0.001 sampled
  /// every h = 0.1 (global error ~1e-6, far below any noise level used here).
  static func pendulumTruth(q0: Double, v0: Double, steps: Int) throws -> [PhaseState] {
    let pendulum = try Pendulum()
    var fine = try StormerVerlet(system: pendulum, stepSize: 0.001)
    return try fine.integrate(
      from: pendulum.state(position: [q0], velocity: [v0]), steps: steps * 100, stride: 100
    ).states
  }

  /// An initial state of the VIN paper's distribution: |q0| ∈ (π/2, π − 0.1) with random
  /// sign, q̇0 ∈ (−1, 1).
  static func paperInitialState(_ generator: inout SeededGenerator) -> (Double, Double) {
    let magnitude = Double.pi / 2 + (Double.pi / 2 - 0.1) * generator.nextUniform()
    let q0 = (generator.nextUniform() < 0.5 ? -1 : 1) * magnitude
    return (q0, 2 * generator.nextUniform() - 1)
  }

  /// The VIN paper's noisy pendulum: m = l = 1, g = 9.81, h = 0.1, initial states from
  /// ``paperInitialState(_:)``, noise N(0, σ²) on q and q̇.
  static func noisyPendulum(trajectories: Int, points: Int, noise: Double, seed: UInt64) throws
    -> [ObservedTrajectory]
  {
    var generator = SeededGenerator(seed: seed)
    return try (0..<trajectories).map { _ in
      let (q0, v0) = paperInitialState(&generator)
      let states = try pendulumTruth(q0: q0, v0: v0, steps: points - 1)
      return try ObservedTrajectory(
        times: (0..<points).map { 0.1 * Double($0) },
        positions: states.map { [$0.q[0] + noise * generator.nextStandardNormal()] },
        velocities: states.map { [$0.p[0] + noise * generator.nextStandardNormal()] })
    }
  }

  /// The VIN-VV of every benchmark: width-1000 tanh MLP potential, learned constant mass.
  static func pendulumVIN(depth: Int, generator: inout SeededGenerator) throws
    -> VINVelocityVerlet<MLPPotential, ConstantMassMatrix, NoForce>
  {
    try VINVelocityVerlet(
      potential: MLPPotential(
        dimension: 1, width: 1000, depth: depth, activation: .tanh, generator: &generator),
      mass: ConstantMassMatrix(dimension: 1), stepSize: 0.1)
  }

  /// Trains with the benchmark settings (horizon 20, Adam 1e-3) and returns the result, the
  /// per-iteration losses and the wall-clock and process-CPU milliseconds per iteration (the
  /// CPU time, summed over both shards' threads, is less disturbed by other processes).
  static func timedTraining<Model: RolloutModel>(
    _ model: Model, data: [ObservedTrajectory], iterations: Int, batchSize: Int,
    validationInterval: Int, starts: InitialStateInference = .learned, seed: UInt64 = 0
  ) throws -> (result: TrainingResult<Model>, losses: [Double], wall: Double, cpu: Double) {
    var config = TrainingConfiguration()
    config.horizon = integers("VINKIT_BENCHMARK_HORIZON", default: "20").first ?? 20
    config.iterations = iterations
    config.batchSize = batchSize
    config.learningRate = environment["VINKIT_BENCHMARK_LEARNING_RATE"].flatMap(Double.init) ?? 1e-3
    config.learningRateSchedule =
      environment["VINKIT_BENCHMARK_SCHEDULE"].flatMap(LearningRateSchedule.init) ?? .constant
    config.validationInterval = validationInterval
    config.initialStates = starts
    config.seed = seed
    var losses: [Double] = []
    let trace = integers("VINKIT_BENCHMARK_TRACE", default: "0").first ?? 0
    let start = Date()
    let cpuStart = clock()
    let result = try Trainer(configuration: config).train(model, on: data) {
      losses.append($0.loss)
      if trace > 0, $0.iteration % trace == 0 { print($0.description) }
      return .proceed
    }
    let cpu = Double(clock() - cpuStart) / Double(CLOCKS_PER_SEC)
    let wall = Date().timeIntervalSince(start)
    let count = Double(max(iterations, 1))
    return (result, losses, wall * 1000 / count, cpu * 1000 / count)
  }

  @Test("ms per training iteration, noisy pendulum, width 1000 tanh, horizon 20, 30 points")
  func iterationTime() throws {
    let data = try Self.noisyPendulum(trajectories: 1, points: 30, noise: 0.33, seed: 1)
    for depth in Self.integers("VINKIT_BENCHMARK_DEPTHS", default: "1,2") {
      var generator = SeededGenerator(seed: 0)
      let vin = try Self.pendulumVIN(depth: depth, generator: &generator)
      let resnet = try BaselineModel(
        architecture: .residual, dimension: 1, width: 1000, depth: depth, activation: .tanh,
        stepSize: 0.1, generator: &generator)
      let iterations = depth == 1 ? 200 : 20
      let vinTime = try Self.timedTraining(
        vin, data: data, iterations: iterations, batchSize: 10,
        validationInterval: iterations + 1)
      let resnetTime = try Self.timedTraining(
        resnet, data: data, iterations: iterations, batchSize: 10,
        validationInterval: iterations + 1)
      #expect(vinTime.result.summary.stopReason == .completed)
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
    /// Mean over trajectories of max_k |E(x̂_k) − E(x_0)| (true pendulum energy of the
    /// forecast) over the 100 forecast steps, and over 1000 steps.
    var energyDrift = 0.0
    var longEnergyDrift = 0.0
    /// RMS of the learned acceleration's error (VINs only).
    var accelerationError: Double? = nil
    /// The learned noise scale σ.
    var noiseScale = Double.nan
  }

  static func score(_ model: some RolloutModel, testSeed: UInt64, steps: Int = 100) throws
    -> Score
  {
    var generator = SeededGenerator(seed: testSeed)
    var score = Score()
    let count = 10
    let longSteps = 10 * steps
    for _ in 0..<count {
      let (q0, v0) = paperInitialState(&generator)
      let truth = try pendulumTruth(q0: q0, v0: v0, steps: steps)
      let forecast = try model.forecast(position: [q0], velocity: [v0], steps: longSteps)
      let e0 = 0.5 * v0 * v0 + 9.81 * (1 - cos(q0))
      var error = 0.0
      var drift = 0.0
      for k in 1...longSteps {
        if k <= steps {
          let dq = forecast.positions[k][0] - truth[k].q[0]
          let dv = forecast.velocities[k][0] - truth[k].p[0]
          error += dq * dq + dv * dv
        }
        let q = forecast.positions[k][0]
        let v = forecast.velocities[k][0]
        let e = 0.5 * v * v + 9.81 * (1 - cos(q))
        drift = max(drift, e.isFinite ? abs(e - e0) : .infinity)
        if k == steps { score.energyDrift += drift / Double(count) }
      }
      score.forecastError += error / Double(steps * count)
      score.longEnergyDrift += drift / Double(count)
    }
    return score
  }

  /// RMS over the observed angles q of `M⁻¹∇V(q) − (g/l) sin q`, the error of the learned
  /// acceleration where the data are (V and M are identifiable only up to a common scale).
  static func accelerationError<Potential: LearnablePotential, Mass: LearnableMassMatrix>(
    potential: Potential, mass: Mass, data: [ObservedTrajectory]
  ) -> Double {
    let qs = data.flatMap { ($0.positions ?? []).map { $0[0] } }
    let m = mass.entries()[0]
    let gradients = potential.gradients(at: qs)
    var sum = 0.0
    for (q, gradient) in zip(qs, gradients) {
      let error = gradient / m - 9.81 * sin(q)
      sum += error * error
    }
    return (sum / Double(max(qs.count, 1))).squareRoot()
  }

  static let modelNames = [
    ("vin-vv", "VIN-VV"), ("vin-vv-naive", "VIN-VV naive start"), ("vin-sv", "VIN-SV"),
    ("vin-vv-angular", "VIN-VV, angular MLP"), ("resnet", "ResNet"),
    ("resnet-angular", "ResNet, angular inputs"),
  ]

  /// Fits the selected models (width 1000, depth 1, tanh, horizon 20, Adam 1e-3) on one seed's
  /// data and scores them.
  static func fitAndScore(
    _ setting: String, trajectories: Int, points: Int, noise: Double, batchSize: Int,
    seed: UInt64
  ) throws -> [String: Score] {
    let iterations = integers("VINKIT_BENCHMARK_ITERATIONS", default: "3000").first ?? 3000
    let batchSize = integers("VINKIT_BENCHMARK_BATCH", default: "\(batchSize)").first ?? batchSize
    let selected = environment["VINKIT_BENCHMARK_MODELS"].map {
      $0.split(separator: ",").map(String.init)
    }
    func wanted(_ name: String) -> Bool { selected?.contains(name) ?? true }
    let data = try noisyPendulum(
      trajectories: trajectories, points: points, noise: noise, seed: seed)
    var generator = SeededGenerator(seed: seed)
    let vin = try pendulumVIN(depth: 1, generator: &generator)
    let sv = try VINStormerVerlet(potential: vin.potential, mass: vin.mass, stepSize: 0.1)
    let resnet = try BaselineModel(
      architecture: .residual, dimension: 1, width: 1000, depth: 1, activation: .tanh,
      stepSize: 0.1, generator: &generator)
    var scores: [String: Score] = [:]
    func fit<Model: RolloutModel>(
      _ name: String, _ model: Model, _ starts: InitialStateInference,
      force: (Model) -> Double?
    ) throws {
      guard wanted(name) else { return }
      let run = try timedTraining(
        model, data: data, iterations: iterations, batchSize: batchSize, validationInterval: 50,
        starts: starts, seed: seed)
      var score = try score(run.result.model, testSeed: 1000 + seed)
      score.accelerationError = force(run.result.model)
      score.noiseScale = run.result.summary.noiseScale ?? .nan
      scores[name] = score
      print(
        "\(setting) seed \(seed) | \(name) | forecast MSE \(score.forecastError) | energy drift \(score.energyDrift) (1000 steps \(score.longEnergyDrift)) | accel. RMS error \(score.accelerationError.map { "\($0)" } ?? "-") | σ \(score.noiseScale) | best iteration \(run.result.summary.bestIteration) | \(run.wall * Double(iterations) / 1000) s"
      )
    }
    func force<P: LearnablePotential, M: LearnableMassMatrix>(_ p: P, _ m: M) -> Double {
      accelerationError(potential: p, mass: m, data: data)
    }
    try fit("vin-vv", vin, .learned) { force($0.potential, $0.mass) }
    try fit("vin-vv-naive", vin, .firstObservation) { force($0.potential, $0.mass) }
    try fit("vin-sv", sv, .learned) { force($0.potential, $0.mass) }
    var angularGenerator = SeededGenerator(seed: seed)
    let angular = try VINVelocityVerlet(
      potential: AngularMLPPotential(
        dimension: 1, width: 1000, depth: 1, activation: .tanh, generator: &angularGenerator),
      mass: ConstantMassMatrix(dimension: 1), stepSize: 0.1)
    try fit("vin-vv-angular", angular, .learned) { force($0.potential, $0.mass) }
    try fit("resnet", resnet, .learned) { _ in nil }
    let angularResNet = try BaselineModel(
      architecture: .residual, dimension: 1, width: 1000, depth: 1, activation: .tanh,
      stepSize: 0.1, angularPositions: true, generator: &angularGenerator)
    try fit("resnet-angular", angularResNet, .learned) { _ in nil }
    return scores
  }

  /// `mean ± standard deviation (min–max)` over seeds.
  static func spread(_ values: [Double]) -> String {
    let mean = values.reduce(0, +) / Double(values.count)
    let variance =
      values.count > 1
      ? values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count - 1) : 0
    func f(_ x: Double) -> String { String(format: x < 0.01 ? "%.2e" : "%.3g", x) }
    return
      "\(f(mean)) ± \(f(variance.squareRoot())) (\(f(values.min() ?? .nan))–\(f(values.max() ?? .nan)))"
  }

  /// Runs every seed of a setting and prints a Markdown table of means ± spreads.
  static func compare(
    _ setting: String, trajectories: Int, points: Int, noise: Double, batchSize: Int
  ) throws -> [String: [Score]] {
    var all: [String: [Score]] = [:]
    for seed in integers("VINKIT_BENCHMARK_SEEDS", default: "1,2,3") {
      let scores = try fitAndScore(
        setting, trajectories: trajectories, points: points, noise: noise,
        batchSize: batchSize, seed: UInt64(seed))
      for (name, score) in scores { all[name, default: []].append(score) }
    }
    print("\n\(setting): \(trajectories) × \(points) points, σ = \(noise)")
    print(
      "| model | forecast MSE | energy drift, 100 steps | energy drift, 1000 steps | acceleration RMS error | learned σ |"
    )
    print("|---|---|---|---|---|---|")
    for (key, name) in modelNames {
      guard let scores = all[key] else { continue }
      let force = scores.compactMap(\.accelerationError)
      print(
        "| \(name) | \(spread(scores.map(\.forecastError))) | \(spread(scores.map(\.energyDrift))) | \(spread(scores.map(\.longEnergyDrift))) | \(force.isEmpty ? "–" : spread(force)) | \(spread(scores.map(\.noiseScale))) |"
      )
    }
    print("")
    return all
  }

  static func mean(_ scores: [Score]?, _ value: KeyPath<Score, Double>) -> Double {
    guard let scores, !scores.isEmpty else { return .nan }
    return scores.map { $0[keyPath: value] }.reduce(0, +) / Double(scores.count)
  }

  @Test("noisy pendulum, VIN paper setting: 1 trajectory × 30 points, σ = 0.33")
  func paperPendulum30() throws {
    let scores = try Self.compare(
      "paper-30", trajectories: 1, points: 30, noise: 0.33, batchSize: 10)
    #expect(Self.mean(scores["vin-vv"], \.forecastError).isFinite || scores["vin-vv"] == nil)
  }

  @Test("noisy pendulum, VIN paper setting: 1 trajectory × 150 points, σ = 0.33")
  func paperPendulum150() throws {
    let scores = try Self.compare(
      "paper-150", trajectories: 1, points: 150, noise: 0.33, batchSize: 10)
    #expect(Self.mean(scores["vin-vv"], \.forecastError).isFinite || scores["vin-vv"] == nil)
  }

  /// Required: VIN-VV's mean forecast MSE is at most a third of the ResNet's. The VIN-VV that
  /// meets it is the one whose MLP potential sees the angle as (cos q, sin q), checked against
  /// both ResNets (raw and angular inputs); the raw-angle VIN-VV does not (Docs/Learning.md).
  @Test("data-rich pendulum: 25 trajectories × 30 points, σ = 0.1")
  func dataRichPendulum() throws {
    let scores = try Self.compare(
      "data-rich", trajectories: 25, points: 30, noise: 0.1, batchSize: 32)
    guard let vin = scores["vin-vv-angular"] else { return }
    for name in ["resnet", "resnet-angular"] {
      guard let resnet = scores[name] else { continue }
      #expect(
        Self.mean(vin, \.forecastError) <= Self.mean(resnet, \.forecastError) / 3,
        "VIN-VV (angular) \(Self.mean(vin, \.forecastError)), \(name) \(Self.mean(resnet, \.forecastError))"
      )
    }
  }
}
