import DiscreteMechanics
import Testing
import _Differentiation

@testable import LagrangianLearning

@Suite("Training")
struct TrainingTests {
  @Test("Adam minimises a convex quadratic")
  func adamMinimisesQuadratic() {
    let curvature = [1.0, 10.0, 0.3]
    let minimum = [2.0, -1.0, 0.5]
    var x = [0.0, 0.0, 0.0]
    var adam = Adam(parameterCount: 3, learningRate: 0.05)
    for _ in 0..<3000 {
      let gradient = x.indices.map { curvature[$0] * (x[$0] - minimum[$0]) }
      adam.update(&x, gradient: gradient)
    }
    #expect(relativeError(x, minimum) < 1e-4)
  }

  @Test("Adam on a block of a longer vector is Adam on that block alone")
  func adamOnABlock() {
    let whole = [0.3, -1.2, 2.5, 0.7, -0.4]
    var (vector, block) = (whole, Array(whole[1..<4]))
    var (onVector, onBlock) = (
      Adam(parameterCount: 3, learningRate: 0.01), Adam(parameterCount: 3, learningRate: 0.01)
    )
    for k in 1...5 {
      let gradient = whole.indices.map { Double((k * 7 + 3 * $0) % 5) - 2.2 }
      onVector.update(&vector, gradient: gradient, offset: 1)
      onBlock.update(&block, gradient: Array(gradient[1..<4]))
    }
    #expect(Array(vector[1..<4]) == block)
    #expect(vector[0] == whole[0] && vector[4] == whole[4])
    // Observing a gradient is updating along it with the parameters put back.
    var (observing, updating) = (
      Adam(parameterCount: 5, learningRate: 0.01), Adam(parameterCount: 5, learningRate: 0.01)
    )
    var (held, moved) = (whole, whole)
    let first = [0.5, -2.0, 0.1, 3.0, -0.7]
    observing.observe(gradient: first, offset: 0)
    updating.update(&moved, gradient: first)
    #expect(held == whole && moved != whole)
    moved = whole
    observing.update(&held, gradient: whole)
    updating.update(&moved, gradient: whole)
    #expect(held == moved)
  }

  static func pendulumData(noise: Double, seed: UInt64, trajectories: Int = 1, points: Int = 30)
    throws -> [ObservedTrajectory]
  {
    var generator = SeededGenerator(seed: seed)
    return try (0..<trajectories).map { _ in
      let q0 = (generator.nextUniform() < 0.5 ? -1.0 : 1.0) * (0.5 + generator.nextUniform())
      return try verletData(
        Pendulum(), q0: [q0], v0: [generator.nextUniform() - 0.5], stepSize: 0.1,
        steps: points - 1, noise: noise, generator: &generator)
    }
  }

  static func smallVIN(seed: UInt64) throws
    -> VINVelocityVerlet<MLPPotential, ConstantMassMatrix, NoForce>
  {
    var generator = SeededGenerator(seed: seed)
    return try VINVelocityVerlet(
      potential: MLPPotential(
        dimension: 1, width: 16, depth: 2, activation: .tanh, generator: &generator),
      mass: ConstantMassMatrix(dimension: 1), stepSize: 0.1)
  }

  @Test(
    "the training loss gradient (model, inferred initial states, noise scale) matches finite differences"
  )
  func trainingLossGradient() throws {
    let model = try Self.smallVIN(seed: 1)
    let data = try Self.pendulumData(noise: 0.1, seed: 4)
    let windows = try TrainingWindow.all(of: data, for: model, horizon: 5)
    let indices = [0, 3, 7]
    var variables = TrainingVariables(
      model: model, initialStates: ParameterVector(windows.flatMap(\.naiveInitialState)),
      logNoiseScale: -1.2)
    variables.initialStates.scalars[0] += 0.05
    let fixed = variables
    func loss(_ v: TrainingVariables<VINVelocityVerlet<MLPPotential, ConstantMassMatrix, NoForce>>)
      -> Double
    {
      summedLoss(
        v, windows: windows, indices: indices, horizon: 5,
        kind: .gaussianNegativeLogLikelihood, learnedStarts: true)
    }
    let tangent = gradient(at: fixed) { loss($0) }
    let numeric = centralDifference(fixed.flat) { values in
      var perturbed = fixed
      perturbed.flat = values
      return loss(perturbed)
    }
    let error = relativeError(fixed.flatten(tangent), numeric)
    print("training loss gradient relative error \(error)")
    #expect(error < 1e-6)
  }

  static func quickConfiguration(seed: UInt64) -> TrainingConfiguration {
    var config = TrainingConfiguration()
    config.horizon = 5
    config.iterations = 30
    config.batchSize = 8
    config.learningRate = 1e-2
    config.seed = seed
    config.validationFraction = 0.2
    config.validationInterval = 5
    return config
  }

  @Test("training is bit-identical for the same seed and differs for another")
  func deterministic() throws {
    let data = try Self.pendulumData(noise: 0.1, seed: 9)
    let model = try Self.smallVIN(seed: 3)
    let first = try Trainer(configuration: Self.quickConfiguration(seed: 5)).train(model, on: data)
    let second = try Trainer(configuration: Self.quickConfiguration(seed: 5)).train(model, on: data)
    let other = try Trainer(configuration: Self.quickConfiguration(seed: 6)).train(model, on: data)
    #expect(first.model.flatParameters == second.model.flatParameters)
    #expect(first.summary == second.summary)
    #expect(first.model.flatParameters != other.model.flatParameters)
    #expect(first.model.flatParameters != model.flatParameters)
  }

  @Test("noiseless harmonic data: VIN-VV with ½k|q|² and learned mass recovers k/m within 1%")
  func harmonicRecovery() throws {
    var generator = SeededGenerator(seed: 0)
    let truth = try HarmonicOscillator(dimension: 1, mass: 0.5, stiffness: 2)
    let data = try verletData(
      truth, q0: [1], v0: [0.5], stepSize: 0.1, steps: 60, generator: &generator)
    let model = try VINVelocityVerlet(
      potential: QuadraticPotential(dimension: 1, stiffness: 1),
      mass: ConstantMassMatrix(dimension: 1), stepSize: 0.1)
    var config = TrainingConfiguration()
    config.horizon = 10
    config.iterations = 600
    config.batchSize = 64
    config.learningRate = 0.03
    config.loss = .meanSquaredError
    config.initialStates = .firstObservation
    config.gradientClipNorm = nil
    let result = try Trainer(configuration: config).train(model, on: [data])
    let ratio = result.model.potential.stiffness / result.model.mass.entries()[0]
    print("harmonic k/m recovered \(ratio) (true 4), summary \(result.summary.bestLoss)")
    #expect(abs(ratio / 4 - 1) < 0.01)
  }

  @Test("a diverging loss stops training with a clear reason and keeps the best model")
  func nonFiniteLossStops() throws {
    let data = try Self.pendulumData(noise: 0, seed: 2)
    let model = try VINVelocityVerlet(
      potential: QuadraticPotential(dimension: 1, stiffness: -1e300),
      mass: IdentityMassMatrix(dimension: 1), stepSize: 0.1)
    let result = try Trainer(configuration: Self.quickConfiguration(seed: 1)).train(
      model, on: data)
    guard case .nonFiniteLoss(let iteration, let loss) = result.summary.stopReason else {
      Issue.record("expected a non-finite-loss stop, got \(result.summary.stopReason)")
      return
    }
    #expect(iteration == 1)
    #expect(!loss.isFinite)
    #expect(result.model.potential.stiffness == -1e300)
    #expect("\(result.summary.stopReason)".contains("iteration 1"))
  }

  @Test("the progress callback reports and can stop training")
  func progressStops() throws {
    let data = try Self.pendulumData(noise: 0.1, seed: 2)
    var reports: [TrainingProgress] = []
    let result = try Trainer(configuration: Self.quickConfiguration(seed: 1)).train(
      Self.smallVIN(seed: 1), on: data
    ) { report in
      reports.append(report)
      return report.iteration == 3 ? .stop : .proceed
    }
    #expect(result.summary.stopReason == .stopped(iteration: 3))
    #expect(reports.map(\.iteration) == [1, 2, 3])
    #expect(reports[2].description.hasPrefix("iteration 3/30  cycle 1  loss "))
    #expect(reports[2].description.contains("ETA ≤ "))
    #expect(reports.allSatisfy { $0.iterationsPerSecond > 0 && $0.loss.isFinite })
  }

  @Test("bad settings and data are typed errors naming the value")
  func invalidInputs() throws {
    var config = Self.quickConfiguration(seed: 0)
    config.horizon = 40
    let data = try Self.pendulumData(noise: 0, seed: 1)
    #expect(throws: LearningError.self) {
      try Trainer(configuration: config).train(Self.smallVIN(seed: 0), on: data)
    }
    config.horizon = 5
    config.learningRate = -1
    #expect(
      throws: LearningError.invalidConfiguration(
        name: "learning rate", value: "-1.0", requirement: "must be positive and finite")
    ) {
      try Trainer(configuration: config).train(Self.smallVIN(seed: 0), on: data)
    }
    config.learningRate = 1e-3
    let positions = try #require(data[0].positions)
    let positionsOnly = try ObservedTrajectory(times: data[0].times, positions: positions)
    #expect(throws: LearningError.missingVelocities(model: "vin-vv")) {
      try Trainer(configuration: config).train(Self.smallVIN(seed: 0), on: [positionsOnly])
    }
    let coarse = try ObservedTrajectory(
      times: data[0].times.map { 2 * $0 }, positions: positions,
      velocities: data[0].velocities)
    #expect(throws: LearningError.stepSizeMismatch(trajectory: 0, expected: 0.1, actual: 0.2)) {
      try Trainer(configuration: config).train(Self.smallVIN(seed: 0), on: [coarse])
    }
  }
}
