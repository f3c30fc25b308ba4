import DiscreteMechanics
import Foundation
import Manifolds
import Testing
import _Differentiation

@testable import LagrangianLearning

/// The baselines on a rigid body: `x = (R11, …, R33, Ω)`, `f_θ: R¹² → R¹²`, forecasts with R̂
/// projected onto SO(3).
@Suite("Rigid-body baselines")
struct RigidBodyBaselineTests {
  static func model(_ architecture: BaselineModel.Architecture, stepSize: Double = 0.05) throws
    -> BaselineModel
  {
    var generator = SeededGenerator(seed: 4)
    return try BaselineModel(
      architecture: architecture, dimension: 3, width: 8, depth: 2, activation: .tanh,
      stepSize: stepSize, layout: .rigidBody, generator: &generator)
  }

  @Test(
    "rollout gradient (parameters and two 12-vector starts) matches central differences",
    arguments: [BaselineModel.Architecture.residual, .feedForward])
  func rolloutGradient(architecture: BaselineModel.Architecture) throws {
    let model = try Self.model(architecture)
    #expect(model.initialStateDimension == 12 && model.observationDimension == 12)
    let error = rolloutGradientError(model, VINSO3Tests.initialRows, steps: 6)
    print("rigid-body \(architecture) gradient relative error \(error)")
    #expect(error < 1e-6)
  }

  @Test("the forecast is the rollout, its R̂ replaced by the nearest rotation")
  func forecastProjectsTheRollout() throws {
    let model = try Self.model(.residual)
    let r0 = SO3.exp(Vector3(0.3, -0.5, 0.7))
    let w0 = Vector3(0.4, -1.1, 0.8)
    let steps = 30
    let rows = model.rollout(from: r0.matrix.entries + w0.components, steps: steps)
    let forecast = try model.forecast(attitude: r0, angularVelocity: w0, steps: steps)
    #expect(forecast.energies == nil)
    #expect(forecast.times.count == steps + 1)
    #expect(forecast.attitudes[0] == r0)
    var largestDefect = 0.0
    var largestMove = 0.0
    for k in 0...steps {
      let row = Array(rows[(12 * k)..<(12 * k + 12)])
      let predicted = Matrix3(entries: Array(row[..<9]))
      let r = forecast.attitudes[k].matrix
      largestDefect = max(largestDefect, (r.transpose * r - Matrix3.identity).maxAbsEntry)
      largestMove = max(largestMove, (r - predicted).maxAbsEntry)
      #expect(forecast.angularVelocities[k] == Vector3(row[9], row[10], row[11]))
      // The polar factor: RᵀR̂ is symmetric (R̂ = R·P with P symmetric positive definite).
      let p = r.transpose * predicted
      #expect((p - p.transpose).maxAbsEntry < 1e-12 * max(1, p.maxAbsEntry))
    }
    print("rigid-body ResNet forecast: max |RᵀR − I| \(largestDefect), max |R − R̂| \(largestMove)")
    #expect(largestDefect < 1e-12)
    // The network leaves SO(3): the projection moves R̂ (the test would pass vacuously if not).
    #expect(largestMove > 1e-6)
  }

  /// The random feed-forward map's first R̂ has det < 0, where the polar factor is a reflection:
  /// the forecast reports the nearest rotation, `U diag(1, 1, −1) Vᵀ`.
  @Test("past det R̂ ≤ 0 the forecast reports the nearest rotation")
  func attitudeWithNegativeDeterminant() throws {
    let model = try Self.model(.feedForward)
    let x0 = SO3.identity.matrix.entries + [0, 0, 1]
    let predicted = Matrix3(entries: Array(model.rollout(from: x0, steps: 1)[12..<21]))
    #expect(predicted.determinant < 0)
    let forecast = try model.forecast(
      attitude: .identity, angularVelocity: Vector3(0, 0, 1), steps: 3)
    #expect(forecast.attitudes[1] == (try SO3(nearestTo: predicted)))
    #expect(forecast.attitudes.allSatisfy { $0.orthogonalityDefect < 1e-14 })
    #expect(forecast.attitudes.allSatisfy { abs($0.matrix.determinant - 1) < 1e-14 })
  }

  @Test("save and load through ModelFile: layout rigidBody, dimension 3, identical forecasts")
  func modelFileRoundTrip() throws {
    let r0 = SO3.exp(Vector3(-0.2, 0.6, 0.1))
    let w0 = Vector3(1, 0.5, -2)
    for architecture in [BaselineModel.Architecture.residual, .feedForward] {
      let model = try Self.model(architecture)
      let file = try ModelFile(model: model)
      #expect(file.specification.dimension == 3)
      #expect(file.specification.observationLayout == .rigidBody)
      let text = String(decoding: try file.encoded(), as: UTF8.self)
      #expect(text.contains("\"layout\" : \"rigidBody\""))
      let loaded = try ModelFile(json: Data(text.utf8)).model()
      #expect(loaded.observationLayout == .rigidBody)
      #expect(loaded.flatParameters == model.flatParameters)
      #expect(
        try loaded.forecast(attitude: r0, angularVelocity: w0, steps: 25)
          == model.forecast(attitude: r0, angularVelocity: w0, steps: 25))
    }
  }

  @Test("a rigid-body specification needs dimension 3 and no angular inputs")
  func specificationChecks() throws {
    let network = NetworkArchitecture(width: 4, depth: 1)
    let wrongDimension = ModelSpecification(
      kind: .residualNetwork, dimension: 6, stepSize: 0.1,
      network: BaselineNetworkSpecification(network, layout: .rigidBody))
    #expect(
      throws: LearningError.invalidConfiguration(
        name: "dimension", value: "6",
        requirement: "must be 3 for a resnet on a rigid body (the rotation group SO(3))")
    ) { try wrongDimension.validate() }
    let angular = ModelSpecification(
      kind: .feedForward, dimension: 3, stepSize: 0.1,
      network: BaselineNetworkSpecification(network, angularInputs: true, layout: .rigidBody))
    #expect(throws: LearningError.self) { try angular.validate() }
    // A file written before the layout existed is on coordinates.
    let old = """
      {"format": "vinkit-model", "version": 2, "kind": "resnet", "dimension": 1, "stepSize": 0.1,
       "network": {"width": 2, "depth": 1, "activation": "tanh"},
       "parameters": {"potential": [], "mass": [], "network": \(Array(repeating: 0.1, count: 12))}}
      """
    let file = try ModelFile(json: Data(old.utf8))
    #expect(file.specification.observationLayout == .coordinates)
    #expect(try file.model().observationLayout == .coordinates)
  }

  /// Noiseless heavy-top data: a ResNet fitted to the 12-vector rows by the generic trainer
  /// lowers its 5-step rollout loss more than tenfold (0.046 → 0.0031).
  @Test("the trainer fits a rigid-body ResNet to (R, Ω) rows")
  func trainsOnRigidBodyRows() throws {
    let data = try HeavyBodyData(stepSize: 0.02)
    var generator = SeededGenerator(seed: 5)
    let trajectories = try data.noisyTrajectories(
      count: 3, samples: 20, noise: 0, generator: &generator)
    var config = TrainingConfiguration()
    config.horizon = 5
    config.iterations = 300
    config.learningRate = 1e-2
    config.loss = .meanSquaredError
    config.initialStates = .firstObservation
    let initial = try Self.model(.residual, stepSize: 0.02)
    var first = config
    first.iterations = 1
    first.learningRate = 1e-12
    let before = try Trainer(configuration: first).train(initial, on: trajectories).summary
    let after = try Trainer(configuration: config).train(initial, on: trajectories).summary
    print("rigid-body ResNet 5-step rollout loss \(before.bestLoss) → \(after.bestLoss)")
    #expect(after.bestLoss < 0.1 * before.bestLoss)
  }
}
