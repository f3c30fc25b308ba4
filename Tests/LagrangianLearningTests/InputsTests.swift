import Foundation
import Testing
import _Differentiation

@testable import LagrangianLearning

/// Trajectories recorded under known inputs u (a driven system), and the models that learn
/// from them.
@Suite("Inputs: trajectories recorded under inputs and the forced baseline")
struct InputsTests {
  /// A driven harmonic oscillator `q̈ = −q + u`, exactly: with u held over each step of h, the
  /// state rotates about `(u, 0)`: `q − u + i q̇ ↦ e^{−ih}(q − u + i q̇)`.
  static func drivenOscillator(
    q0: Double, v0: Double, inputs: [Double], stepSize h: Double
  ) throws -> ObservedTrajectory {
    var (q, v) = (q0, v0)
    var positions = [[q]]
    var velocities = [[v]]
    for u in inputs.dropLast() {
      let (x, y) = (q - u, v)
      (q, v) = (u + x * cos(h) + y * sin(h), -x * sin(h) + y * cos(h))
      positions.append([q])
      velocities.append([v])
    }
    return try ObservedTrajectory(
      times: inputs.indices.map { Double($0) * h }, positions: positions, velocities: velocities
    ).withInputs(inputs.map { [$0] })
  }

  /// Piecewise-constant inputs: a new N(0, 1) value every `hold` samples.
  static func randomInputs(count: Int, hold: Int, generator: inout SeededGenerator) -> [Double] {
    var inputs: [Double] = []
    var u = 0.0
    for k in 0..<count {
      if k % hold == 0 { u = generator.nextStandardNormal() }
      inputs.append(u)
    }
    return inputs
  }

  @Test("the CSV's u1…um columns are the inputs, after the state's and extra columns")
  func csvInputs() throws {
    let trajectory = try ObservedTrajectory(
      csv: "t,q1,v1,energy,u1,u2\n0,1,0,0.5,0.25,-1\n0.1,0.9,-0.1,0.5,0.5,2\n")
    #expect(trajectory.inputs == [[0.25, -1], [0.5, 2]])
    #expect(trajectory.inputCount == 2)
    #expect(trajectory.positions == [[1], [0.9]])
    let rigid = try ObservedTrajectory(
      csv: "t,R11,R12,R13,R21,R22,R23,R31,R32,R33,w1,w2,w3,u1\n0,1,0,0,0,1,0,0,0,1,0,0,0,3\n")
    #expect(rigid.inputs == [[3]])
    #expect(try ObservedTrajectory(csv: "t,q1,v1\n0,1,0\n").inputs == nil)
  }

  @Test("bad input columns name their line and column")
  func csvBadInputs() throws {
    #expect(
      throws: LearningError.invalidCSV(
        line: 1, column: "u2", detail: "input columns must start with 'u1' (u1,…,um)")
    ) { try ObservedTrajectory(csv: "t,q1,v1,u2\n0,1,0,1\n") }
    #expect(
      throws: LearningError.invalidCSV(line: 3, column: "u1", detail: "'x' is not a number")
    ) { try ObservedTrajectory(csv: "t,q1,u1\n0,1,0\n0.1,1,x\n") }
    #expect(throws: LearningError.nonFiniteObservation(trajectory: 0, sample: 1, value: .infinity))
    { try ObservedTrajectory(csv: "t,q1,u1\n0,1,0\n0.1,1,inf\n") }
  }

  @Test("a forced baseline's gradient matches central differences (residual; feed-forward, angles)")
  func forcedBaselineGradient() throws {
    var generator = SeededGenerator(seed: 4)
    let inputs = (0..<(2 * 5 * 2)).map { _ in generator.nextStandardNormal() }
    let cases: [(BaselineModel, [Double])] = [
      (
        try BaselineModel(
          architecture: .residual, dimension: 1, width: 8, depth: 2, activation: .tanh,
          stepSize: 0.1, inputCount: 2, generator: &generator), [0.4, -0.3, 0.1, 0.2]
      ),
      (
        try BaselineModel(
          architecture: .feedForward, dimension: 1, width: 8, depth: 1, activation: .tanh,
          stepSize: 0.1, angularPositions: true, inputCount: 2, generator: &generator),
        [0.4, -0.3, 0.1, 0.2]
      ),
    ]
    for (model, x0) in cases {
      func loss(_ model: BaselineModel, _ x0: [Double]) -> Double {
        probeLoss(
          model.rollout(from: x0, inputs: inputs, steps: 5, workspace: RolloutWorkspace()))
      }
      let (_, gradients) = valueWithGradient(at: model, x0) { model, x0 in
        probeLoss(
          model.rollout(from: x0, inputs: inputs, steps: 5, workspace: RolloutWorkspace()))
      }
      let analytic = model.flatten(gradients.0) + [Double](dense: gradients.1, count: x0.count)
      let p = model.parameterCount
      let numeric = centralDifference(model.flatParameters + x0) { values in
        var perturbed = model
        perturbed.flatParameters = Array(values[..<p])
        return loss(perturbed, Array(values[p...]))
      }
      #expect(relativeError(analytic, numeric) < 1e-6)
    }
  }

  @Test("a forced baseline's rollout is its forecast under the same inputs; they matter")
  func forcedRolloutIsForecast() throws {
    var generator = SeededGenerator(seed: 5)
    let model = try BaselineModel(
      architecture: .residual, dimension: 1, width: 8, depth: 1, activation: .tanh,
      stepSize: 0.1, inputCount: 1, generator: &generator)
    let u = [0.5, -1, 2, 0.3]
    let rollout = model.rollout(
      from: [0.4, -0.3], inputs: u, steps: 4, workspace: RolloutWorkspace())
    let forecast = try model.forecast(position: [0.4], velocity: [-0.3], inputs: u.map { [$0] })
    #expect(rollout == zip(forecast.positions, forecast.velocities).flatMap { $0 + $1 })
    let unforced = model.rollout(
      from: [0.4, -0.3], inputs: [0, 0, 0, 0], steps: 4, workspace: RolloutWorkspace())
    #expect(unforced != rollout)
    #expect(
      throws: LearningError.dimensionMismatch(
        name: "input rows (one per step)", expected: 4, actual: 3)
    ) {
      try model.forecast(
        from: .coordinates(position: [0.4], velocity: [0]), inputs: [[1], [2], [3]], steps: 4)
    }
  }

  @Test("a forced ResNet learns a driven oscillator: its forecast needs the inputs it was given")
  func forcedResNetLearnsFromInputs() throws {
    var generator = SeededGenerator(seed: 6)
    let h = 0.1
    var training: [ObservedTrajectory] = []
    for _ in 0..<4 {
      let u = Self.randomInputs(count: 30, hold: 5, generator: &generator)
      training.append(
        try Self.drivenOscillator(
          q0: generator.nextStandardNormal(), v0: generator.nextStandardNormal(), inputs: u,
          stepSize: h))
    }
    var config = TrainingConfiguration()
    config.iterations = 400
    config.learningRate = 1e-2
    config.learningRateSchedule = .cosine
    config.horizon = 5
    let model = try BaselineModel(
      architecture: .residual, dimension: 1, width: 16, depth: 1, activation: .tanh,
      stepSize: h, inputCount: 1, generator: &generator)
    let fitted = try Trainer(configuration: config).train(model, on: training).model
    // A fresh driven trajectory: forecast under its inputs, and with the inputs zeroed.
    let u = Self.randomInputs(count: 31, hold: 5, generator: &generator)
    let truth = try Self.drivenOscillator(q0: 0.5, v0: -0.2, inputs: u, stepSize: h)
    func error(_ inputs: [Double]) throws -> Double {
      let forecast = try fitted.forecast(
        position: [0.5], velocity: [-0.2], inputs: inputs.map { [$0] })
      var sum = 0.0
      for k in 1..<truth.count {
        sum += pow(forecast.positions[k][0] - (truth.positions?[k][0] ?? .nan), 2)
      }
      return sum / Double(truth.count - 1)
    }
    let driven = try error(u)
    let blind = try error(Array(repeating: 0, count: u.count))
    print("forced ResNet forecast MSE: with the inputs \(driven), without \(blind)")
    #expect(driven < 0.01, "forecast MSE with the inputs \(driven)")
    #expect(driven * 10 < blind, "with \(driven), without \(blind)")
  }
}

extension RolloutModel {
  /// The forecast from `(q₀, q̇₀)` driven by `inputs`, on coordinates (as
  /// ``forecast(position:velocity:steps:)``), one step per input row.
  func forecast(position q0: [Double], velocity v0: [Double], inputs: [[Double]]) throws
    -> Forecast
  {
    let result = try forecast(
      from: .coordinates(position: q0, velocity: v0), inputs: inputs, steps: inputs.count)
    guard case .coordinates(let forecast) = result else {
      throw LearningError.notEnoughData(detail: "layout")
    }
    return forecast
  }
}
