import DiscreteMechanics
import Foundation
import Testing

@testable import LagrangianLearning

@Suite("Training settings: initial-state step size, learning-rate schedule, initialisation")
struct TrainingSettingsTests {
  @Test("the starts' step size defaults to the model's × max(1, windows/batch)")
  func initialStateLearningRateDefault() throws {
    var config = TrainingConfiguration()
    config.learningRate = 1e-3
    config.batchSize = 32
    #expect(abs(config.initialStateLearningRate(trainingWindows: 250) - 1e-3 * 250 / 32) < 1e-18)
    #expect(config.initialStateLearningRate(trainingWindows: 10) == 1e-3)
    config.initialStateLearningRate = 0.05
    #expect(config.initialStateLearningRate(trainingWindows: 250) == 0.05)
    config.initialStateLearningRate = -1
    #expect(throws: LearningError.self) { try config.validate() }
    config.initialStateLearningRate = .nan
    #expect(throws: LearningError.self) { try config.validate() }
  }

  @Test("the cosine schedule runs from the full rate at the first iteration down to nearly 0")
  func cosineSchedule() {
    let total = 1000
    #expect(LearningRateSchedule.constant.factor(iteration: 700, of: total) == 1)
    let cosine = LearningRateSchedule.cosine
    #expect(cosine.factor(iteration: 1, of: total) == 1)
    #expect(abs(cosine.factor(iteration: total / 2 + 1, of: total) - 0.5) < 1e-15)
    #expect(cosine.factor(iteration: total, of: total) < 1e-5)
    let factors = (1...total).map { cosine.factor(iteration: $0, of: total) }
    #expect(zip(factors, factors.dropFirst()).allSatisfy { $0 > $1 })
  }

  /// With a vanishing step size for the starts they stay at the first observations while the
  /// model trains; with the default they move.
  @Test("the inferred starts follow their own step size")
  func initialStatesUseTheirOwnStepSize() throws {
    var generator = SeededGenerator(seed: 3)
    let data = try verletData(
      HarmonicOscillator(dimension: 1), q0: [1], v0: [0], stepSize: 0.1, steps: 30,
      noise: 0.05, generator: &generator)
    let model = try VINVelocityVerlet(
      potential: QuadraticPotential(dimension: 1, stiffness: 0.5),
      mass: ConstantMassMatrix(dimension: 1), stepSize: 0.1)
    var config = TrainingConfiguration()
    config.horizon = 5
    config.iterations = 50
    config.batchSize = 8
    config.learningRate = 1e-2
    let positions = try #require(data.positions)
    let naive = (0..<26).map { [positions[$0][0], data.velocities?[$0][0] ?? .nan] }
    func largestMove(_ config: TrainingConfiguration) throws -> (Double, Double) {
      let result = try Trainer(configuration: config).train(model, on: [data])
      let move = zip(result.initialStates, naive).map { abs($0[0] - $1[0]) + abs($0[1] - $1[1]) }
      return (move.max() ?? .nan, result.model.potential.stiffness)
    }
    let (defaultMove, defaultStiffness) = try largestMove(config)
    config.initialStateLearningRate = 1e-14
    let (frozenMove, frozenStiffness) = try largestMove(config)
    #expect(frozenMove < 1e-10)
    #expect(defaultMove > 1e-2)
    #expect(abs(frozenStiffness - 0.5) > 1e-2)
    #expect(abs(defaultStiffness - 0.5) > 1e-2)
  }

  @Test("weights and biases are uniform in ±1/√fan_in")
  func networkInitialisation() throws {
    var generator = SeededGenerator(seed: 1)
    let shape = try NetworkShape(
      inputDimension: 2, width: 400, depth: 2, outputDimension: 1, activation: .tanh)
    let network = MultilayerPerceptron(shape: shape, generator: &generator)
    for l in 0..<shape.layerCount {
      let fanIn = shape.inputSize(ofLayer: l)
      let offset = shape.weightOffset(ofLayer: l)
      let count = (fanIn + 1) * shape.outputSize(ofLayer: l)
      let values = network.parameters.scalars[offset..<(offset + count)]
      let bound = 1 / Double(fanIn).squareRoot()
      #expect(values.allSatisfy { abs($0) < bound })
      // The standard deviation of U(−b, b) is b/√3; 401+ samples agree within 10%.
      let deviation = (values.map { $0 * $0 }.reduce(0, +) / Double(count)).squareRoot()
      #expect(abs(deviation / (bound / 3.0.squareRoot()) - 1) < 0.1, "layer \(l)")
      let biases = values.suffix(shape.outputSize(ofLayer: l))
      #expect(biases.contains { $0 != 0 })
    }
  }
}
