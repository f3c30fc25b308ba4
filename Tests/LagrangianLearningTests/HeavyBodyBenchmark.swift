import DiscreteMechanics
import Foundation
import LagrangianLearning
import Manifolds
import Testing

/// Issue 4's heavy-body benchmark (Docs/Learning.md, "Heavy body on SO(3)"):
/// `VINKIT_BENCHMARK=1 swift test -c release -Xswiftc -enable-testing --filter BenchmarkTests/heavyBody`.
///
/// Environment: `VINKIT_BENCHMARK_SEEDS` (default `1,2,3`), `VINKIT_BENCHMARK_HEAVY_MODELS`
/// (default all of ``heavyBodyModels``), `VINKIT_BENCHMARK_START_RATE` (the inferred starts'
/// Adam step size; default 3·10⁻³, the trainer's default would be 0.01 × 22.5), `VINKIT_BENCHMARK_HEAVY_NOISE` (σ, default 0.02),
/// `VINKIT_BENCHMARK_SCHEDULE` (`constant`, the default, or `cosine`).
extension BenchmarkTests {
  /// (key, table name).
  static let heavyBodyModels = [
    ("vin-so3", "VIN-SO(3), U = e_zᵀRc"), ("vin-so3-naive", "VIN-SO(3), U = e_zᵀRc, naive start"),
    ("vin-so3-mlp", "VIN-SO(3), MLP U"), ("vin-so3-mlp-naive", "VIN-SO(3), MLP U, naive start"),
    ("resnet", "ResNet"), ("resnet-naive", "ResNet, naive start"),
  ]

  struct HeavyBodyScore {
    var geodesicError: Double
    var energyDrift: Double
    var seconds: Double
  }

  /// One seed: 20 noisy trajectories of 50 samples at h = 0.02 (σ = 0.02 on the attitude and
  /// on Ω), the selected models fitted with MSE over 10-step windows (batch 32, 10 % of the
  /// windows held out), scored by 200-step forecasts from 10 fresh true initial states.
  static func heavyBodyRun(seed: UInt64) throws -> [String: HeavyBodyScore] {
    let selected = environment["VINKIT_BENCHMARK_HEAVY_MODELS"].map {
      Set($0.split(separator: ",").map(String.init))
    }
    let startRate = environment["VINKIT_BENCHMARK_START_RATE"].flatMap(Double.init) ?? 3e-3
    let noise = environment["VINKIT_BENCHMARK_HEAVY_NOISE"].flatMap(Double.init) ?? 0.02
    let data = try HeavyBodyData(stepSize: 0.02)
    var generator = SeededGenerator(seed: seed)
    let training = try data.noisyTrajectories(
      count: 20, samples: 50, noise: noise, generator: &generator)
    let testStarts = (0..<10).map { _ in HeavyBodyData.randomStart(&generator) }
    let shape = try NetworkShape(
      inputDimension: 9, width: 32, depth: 2, outputDimension: 1, activation: .tanh)
    let network = MultilayerPerceptron(shape: shape, generator: &generator)
    let resnet = try BaselineModel(
      architecture: .residual, dimension: 3, width: 100, depth: 2, activation: .tanh,
      stepSize: 0.02, layout: .rigidBody, generator: &generator)

    var config = TrainingConfiguration()
    config.horizon = 10
    config.batchSize = 32
    config.loss = .meanSquaredError
    config.seed = seed
    config.validationFraction = 0.1
    config.initialStateLearningRate = startRate
    config.learningRateSchedule =
      environment["VINKIT_BENCHMARK_SCHEDULE"].flatMap(LearningRateSchedule.init) ?? .constant
    var scores: [String: HeavyBodyScore] = [:]
    func fit<Model: RolloutModel>(
      _ key: String, _ model: Model, _ starts: InitialStateInference, iterations: Int,
      learningRate: Double
    ) throws {
      guard selected?.contains(key) ?? true else { return }
      var settings = config
      settings.initialStates = starts
      settings.iterations = iterations
      settings.learningRate = learningRate
      let begin = Date()
      let result = try Trainer(configuration: settings).train(model, on: training)
      let seconds = Date().timeIntervalSince(begin)
      let (geodesic, drift) = try data.score(result.model, starts: testStarts, steps: 200)
      scores[key] = HeavyBodyScore(geodesicError: geodesic, energyDrift: drift, seconds: seconds)
      print(
        "heavy body seed \(seed) | \(key) | geodesic error \(geodesic) | energy drift \(drift) | best iteration \(result.summary.bestIteration) | loss \(result.summary.bestLoss) | \(seconds) s"
      )
    }
    let vin = try VINSO3(stepSize: 0.02, initialInertiaScale: 0.2)
    let vinMLP = try VINSO3(stepSize: 0.02, network: network, initialInertiaScale: 0.2)
    try fit("vin-so3", vin, .learned, iterations: 2000, learningRate: 0.01)
    try fit("vin-so3-naive", vin, .firstObservation, iterations: 2000, learningRate: 0.01)
    try fit("vin-so3-mlp", vinMLP, .learned, iterations: 2000, learningRate: 0.01)
    try fit("vin-so3-mlp-naive", vinMLP, .firstObservation, iterations: 2000, learningRate: 0.01)
    try fit("resnet", resnet, .learned, iterations: 4000, learningRate: 1e-3)
    try fit("resnet-naive", resnet, .firstObservation, iterations: 4000, learningRate: 1e-3)
    return scores
  }

  /// Required (issue 4): VIN-SO(3) with the parametric potential forecasts the attitude better
  /// than the ResNet and keeps its energy error smaller.
  @Test("heavy body on SO(3): 20 noisy trajectories × 50 samples, h = 0.02, σ = 0.02")
  func heavyBody() throws {
    var all: [String: [HeavyBodyScore]] = [:]
    for seed in Self.integers("VINKIT_BENCHMARK_SEEDS", default: "1,2,3") {
      for (key, score) in try Self.heavyBodyRun(seed: UInt64(seed)) {
        all[key, default: []].append(score)
      }
    }
    print("\nheavy body: 20 × 50 samples, h = 0.02, σ = 0.02; 200-step forecasts from 10 states")
    print("| model | mean geodesic attitude error (rad) | energy drift, 200 steps | fit (s) |")
    print("|---|---|---|---|")
    for (key, name) in Self.heavyBodyModels {
      guard let scores = all[key] else { continue }
      print(
        "| \(name) | \(Self.spread(scores.map(\.geodesicError))) | \(Self.spread(scores.map(\.energyDrift))) | \(Self.spread(scores.map(\.seconds))) |"
      )
    }
    print("")
    if let vin = all["vin-so3"], let resnet = all["resnet"] {
      func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }
      #expect(mean(vin.map(\.geodesicError)) < mean(resnet.map(\.geodesicError)))
      #expect(mean(vin.map(\.energyDrift)) < mean(resnet.map(\.energyDrift)))
    }
  }
}
