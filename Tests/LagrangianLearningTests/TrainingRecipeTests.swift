import DiscreteMechanics
import Foundation
import Testing

@testable import LagrangianLearning

/// The parts of the training recipe (Docs/Learning.md, "The training recipe"): full batches,
/// per-window starts that move only when their window is trained on, and validation windows
/// scored from starts fitted by the frozen model.
@Suite("Training recipe: batches, per-window starts, validation from inferred starts")
struct TrainingRecipeTests {
  static func noisyOscillator(seed: UInt64, noise: Double = 0.1) throws -> [ObservedTrajectory] {
    var generator = SeededGenerator(seed: seed)
    return try [([1.0], [0.0]), ([0.0], [1.5]), ([-0.7], [0.4])].map { q0, v0 in
      try verletData(
        HarmonicOscillator(dimension: 1), q0: q0, v0: v0, stepSize: 0.1, steps: 40,
        noise: noise, generator: &generator)
    }
  }

  static func oscillatorModel(stiffness: Double) throws
    -> VINVelocityVerlet<QuadraticPotential, ConstantMassMatrix, NoForce>
  {
    try VINVelocityVerlet(
      potential: QuadraticPotential(dimension: 1, stiffness: stiffness),
      mass: ConstantMassMatrix(dimension: 1), stepSize: 0.1)
  }

  @Test("blockwise Adam: all blocks at once is Adam bit for bit; absent blocks do not move")
  func blockwiseAdam() {
    var generator = SeededGenerator(seed: 4)
    let blocks = 5
    let size = 2
    var dense = Adam(parameterCount: blocks * size, learningRate: 0.01)
    var blockwise = BlockwiseAdam(blocks: blocks, blockSize: size, learningRate: 0.01)
    var x = (0..<(blocks * size)).map { _ in generator.nextStandardNormal() }
    var y = x
    for _ in 0..<20 {
      let g = (0..<(blocks * size)).map { _ in generator.nextStandardNormal() }
      dense.update(&x, gradient: g)
      blockwise.update(&y, gradient: g, batch: Array(0..<blocks))
    }
    #expect(x == y)

    // Block 1 visited in 7 of 20 updates equals Adam run on block 1 with those 7 gradients.
    var sparse = BlockwiseAdam(blocks: blocks, blockSize: size, learningRate: 0.01)
    var alone = Adam(parameterCount: size, learningRate: 0.01)
    var z = y
    var block1 = Array(z[2..<4])
    let before = z
    for t in 0..<20 {
      let g = (0..<(blocks * size)).map { _ in generator.nextStandardNormal() }
      let batch = t % 3 == 0 ? [1, 3] : [3]
      sparse.update(&z, gradient: g, batch: batch)
      if batch.contains(1) { alone.update(&block1, gradient: Array(g[2..<4])) }
    }
    #expect(Array(z[2..<4]) == block1)
    #expect(z[0..<2] == before[0..<2] && z[4..<6] == before[4..<6] && z[8..<10] == before[8..<10])
    #expect(z[6..<8] != before[6..<8])
  }

  /// The exact model, not trained: its validation loss from the noisy first observations
  /// (no start steps) is the noise's; with starts fitted by the frozen model it is lower, and
  /// fitting them changes nothing else.
  @Test("validation windows are scored from starts fitted by the frozen model")
  func validationFromInferredStarts() throws {
    let data = try Self.noisyOscillator(seed: 21)
    let model = try Self.oscillatorModel(stiffness: 1)
    var config = TrainingConfiguration()
    config.horizon = 8
    config.iterations = 0
    config.validationFraction = 0.3
    config.loss = .meanSquaredError
    func validationLoss(steps: Int) throws -> Double {
      config.validationStartSteps = steps
      config.initialStateLearningRate = 0.01
      let result = try Trainer(configuration: config).train(model, on: data)
      #expect(result.model.potential.stiffness == 1)
      #expect(result.summary.monitored == .validation)
      return result.summary.bestLoss
    }
    let naive = try validationLoss(steps: 0)
    let inferred = try validationLoss(steps: 300)
    // With σ = 0.1 on both q and q̇ the naive start adds about σ² per entry to the residuals.
    print("validation loss: naive start \(naive), inferred start \(inferred)")
    #expect(inferred < 0.75 * naive, "inferred \(inferred), naive \(naive)")
    #expect(inferred > 0.5 * 0.01, "the residual noise σ² stays")
  }

  /// Validation start fitting reads the model and never writes it: training with and without
  /// it visits the same iterates (the last batch losses agree bit for bit).
  @Test("fitting the validation starts does not change training")
  func validationDoesNotLeakIntoTraining() throws {
    let data = try Self.noisyOscillator(seed: 22)
    let model = try Self.oscillatorModel(stiffness: 0.5)
    var config = TrainingConfiguration()
    config.horizon = 6
    config.iterations = 40
    config.validationFraction = 0.25
    config.validationInterval = 5
    config.learningRate = 0.02
    var results: [TrainingSummary] = []
    for steps in [0, 25] {
      config.validationStartSteps = steps
      results.append(try Trainer(configuration: config).train(model, on: data).summary)
    }
    #expect(results[0].finalLoss == results[1].finalLoss)
    #expect(results[0].bestLoss != results[1].bestLoss)
  }

  /// A full batch needs no sampling: a batch size of at least the number of windows is the
  /// default's run bit for bit, and the monitored loss is the training loss.
  @Test("full batch is the default and equals any batch size of at least the window count")
  func fullBatchDefault() throws {
    let data = try Self.noisyOscillator(seed: 23)
    let model = try Self.oscillatorModel(stiffness: 0.5)
    var config = TrainingConfiguration()
    config.horizon = 6
    config.iterations = 30
    config.learningRate = 0.02
    let standard = try Trainer(configuration: config).train(model, on: data)
    config.batchSize = 10_000
    let large = try Trainer(configuration: config).train(model, on: data)
    #expect(standard.summary.monitored == .training)
    #expect(standard.model.flatParameters == large.model.flatParameters)
    #expect(standard.summary.bestLoss == large.summary.bestLoss)
    #expect(standard.summary.bestIteration == 30, "the loss still falls at the last iteration")
    #expect(standard.summary.earlyBestWarning == nil)
  }

  @Test("a kept model from the first half of a run is warned about, naming the monitored loss")
  func earlyBestWarning() {
    func summary(best: Int, of iterations: Int, validation: Int) -> TrainingSummary {
      TrainingSummary(
        iterations: iterations, bestIteration: best, bestLoss: 0.1, finalLoss: 0.2,
        trainingWindows: 90, validationWindows: validation, noiseScale: nil,
        stopReason: .completed, configuration: TrainingConfiguration())
    }
    let early = summary(best: 40, of: 3000, validation: 10).earlyBestWarning
    #expect(early?.contains("iteration 40 of 3000") == true)
    #expect(early?.contains("validation loss") == true)
    #expect(
      summary(best: 40, of: 3000, validation: 0).earlyBestWarning?.contains("training") == true)
    #expect(summary(best: 1600, of: 3000, validation: 10).earlyBestWarning == nil)
    #expect(summary(best: 10, of: 50, validation: 10).earlyBestWarning == nil, "short runs")
  }

  @Test("a configuration recorded without the newer settings decodes with their defaults")
  func olderConfigurationDecodes() throws {
    let recorded = """
      {"horizon": 20, "iterations": 500, "batchSize": 32, "learningRate": 0.001,
       "learningRateSchedule": "constant", "seed": 3, "validationFraction": 0.1,
       "validationInterval": 10, "gradientClipNorm": 10, "loss": "nll",
       "initialNoiseScale": 0.1, "initialStates": "learned", "shards": 2}
      """
    let config = try JSONDecoder().decode(TrainingConfiguration.self, from: Data(recorded.utf8))
    #expect(config.horizon == 20 && config.batchSize == 32 && config.seed == 3)
    #expect(config.learningRateSchedule == .constant)
    #expect(config.validationStartSteps == TrainingConfiguration().validationStartSteps)
    #expect(config.patience == nil && config.initialStateLearningRate == nil)
    let roundTrip = try JSONDecoder().decode(
      TrainingConfiguration.self, from: JSONEncoder().encode(config))
    #expect(roundTrip == config)
  }
}
