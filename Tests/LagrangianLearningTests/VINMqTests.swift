import DiscreteMechanics
import Foundation
import LagrangianLearning
import Manifolds
import Testing
import _Differentiation

@Suite("VIN-mq")
struct VINMqTests {
  static func model(seed: UInt64, perturbation: Double) throws -> VINMq<MLPPotential> {
    var generator = SeededGenerator(seed: seed)
    let potential = try MLPPotential(
      dimension: 2, width: 8, depth: 1, activation: .tanh, generator: &generator)
    var mass = try ConfigurationMassMatrix(dimension: 2, width: 4, generator: &generator)
    for i in mass.parameters.indices {
      mass.parameters[i] += generator.nextNormal(standardDeviation: perturbation)
    }
    return try VINMq(potential: potential, mass: mass, stepSize: 0.05)
  }

  @Test("rollout gradient (implicit function theorem) matches finite differences")
  func gradient() throws {
    let model = try Self.model(seed: 1, perturbation: 0.3)
    let error = rolloutGradientError(
      model, [0.3, -0.2, 0.32, -0.17, -0.1, 0.4, -0.12, 0.38], steps: 5)
    print("VIN-mq gradient relative error \(error)")
    #expect(error < 1e-6)
  }

  @Test("rollout gradient with a softplus mass network matches finite differences")
  func gradientSoftplus() throws {
    var generator = SeededGenerator(seed: 6)
    var mass = try ConfigurationMassMatrix(
      dimension: 2, width: 3, activation: .softplus, generator: &generator)
    for i in mass.parameters.indices {
      mass.parameters[i] += generator.nextNormal(standardDeviation: 0.4)
    }
    let model = try VINMq(
      potential: AngularMLPPotential(
        dimension: 2, width: 5, depth: 2, activation: .softplus, generator: &generator),
      mass: mass, stepSize: 0.05)
    let error = rolloutGradientError(model, [0.3, -0.2, 0.32, -0.17], steps: 6)
    print("VIN-mq (softplus mass network) gradient relative error \(error)")
    #expect(error < 1e-6)
  }

  /// The factor's diagonal is `softplus(o)`: an output of −800 gives `Lᵢᵢ ≈ 0` (M stays
  /// `≥ εI`), where `o + log(1 + e⁻ᵒ)` overflowed to `inf` and the rollout to NaN.
  @Test("a mass network output of −800 keeps M finite and the rollout and its gradient finite")
  func softplusDoesNotOverflow() throws {
    var model = try Self.model(seed: 7, perturbation: 0.1)
    let n = 2
    let width = model.massArchitecture.width
    let diagonalBias = width * (n + 1) + 3 * width  // b₂[0]
    var parameters = model.massParameters.scalars
    parameters[diagonalBias] = -800
    model.massParameters = ParameterVector(parameters)
    let m = model.mass.matrix(at: [0.1, 0.2])
    #expect(m.storage.allSatisfy { $0.isFinite })
    #expect(m[0, 0] >= model.massArchitecture.epsilon)
    let initial = [0.1, 0.2, 0.1001, 0.21]
    let output = model.rollout(from: initial, steps: 4)
    #expect(output.allSatisfy { $0.isFinite })
    let tangent = _Differentiation.gradient(at: model) {
      probeLoss($0.rollout(from: initial, steps: 4))
    }
    #expect(model.flatten(tangent).allSatisfy { $0.isFinite })
  }

  @Test("the rollout is VariationalMidpoint on the learned system, bit for bit")
  func forwardIsVariationalMidpoint() throws {
    let model = try Self.model(seed: 2, perturbation: 0.3)
    let (q0, q1) = ([0.3, -0.2], [0.32, -0.17])
    let output = model.rollout(from: q0 + q1, steps: 20)
    // p₁ = D₂L_d(q₀, q₁) from the integrator's own discrete Lagrangian.
    var lagrangian = try MidpointDiscreteLagrangian(system: model.system, stepSize: 0.05)
    var p1 = [0.0, 0.0]
    lagrangian.momentumAtEnd(from: q0, to: q1, into: &p1)
    var integrator = try VariationalMidpoint(system: model.system, stepSize: 0.05)
    let trajectory = try integrator.integrate(from: PhaseState(q: q1, p: p1), steps: 19)
    let expected = q0 + trajectory.states.flatMap(\.q)
    #expect(output == expected)
  }

  @Test("save → load → forecast round trip")
  func fileRoundTrip() throws {
    let model = try Self.model(seed: 4, perturbation: 0.3)
    let file = try ModelFile(model: model)
    let loaded = try ModelFile(json: file.encoded()).model()
    #expect(loaded.kind == .vinMq)
    #expect(loaded.flatParameters == model.flatParameters)
    let a = try model.forecast(position: [0.2, -0.1], velocity: [0.3, 0.1], steps: 30)
    let b = try loaded.forecast(position: [0.2, -0.1], velocity: [0.3, 0.1], steps: 30)
    #expect(a == b)
    var truncated = file
    truncated.parameters.mass.removeLast()
    #expect(throws: LearningError.self) { try ModelFile(json: truncated.encoded()).model() }
  }

  @Test("training on noiseless double-pendulum positions reduces the loss and the forecast error")
  func learnsDoublePendulum() throws {
    let truth = try DoublePendulum()
    let h = 0.05
    var trajectories: [ObservedTrajectory] = []
    var starts: [(q: [Double], v: [Double])] = []
    var generator = SeededGenerator(seed: 5)
    for _ in 0..<4 {
      let q0 = [0.6 * (generator.nextUniform() - 0.5), 0.6 * (generator.nextUniform() - 0.5)]
      let v0 = [generator.nextUniform() - 0.5, generator.nextUniform() - 0.5]
      starts.append((q0, v0))
      var integrator = try VariationalMidpoint(system: truth, stepSize: h)
      let trajectory = try integrator.integrate(
        from: truth.state(position: q0, velocity: v0), steps: 20)
      trajectories.append(
        try ObservedTrajectory(times: trajectory.times, positions: trajectory.states.map(\.q)))
    }
    let initial = try Self.model(seed: 3, perturbation: 0)
    var config = TrainingConfiguration()
    config.horizon = 4
    config.iterations = 100
    config.learningRate = 0.05
    config.loss = .meanSquaredError
    config.validationFraction = 0
    config.initialStates = .firstObservation
    config.batchSize = 16
    config.learningRateSchedule = .constant
    let trainer = Trainer(configuration: config)
    let result = try trainer.train(initial, on: trajectories)
    var zeroIterations = config
    zeroIterations.iterations = 1
    zeroIterations.learningRate = 1e-12
    let initialLoss = try Trainer(configuration: zeroIterations).train(initial, on: trajectories)
      .summary.bestLoss

    func forecastError(_ model: VINMq<MLPPotential>) throws -> Double {
      var total = 0.0
      for (start, data) in zip(starts, trajectories) {
        let forecast = try model.forecast(position: start.q, velocity: start.v, steps: 20)
        let positions = try #require(data.positions)
        for k in 0...20 {
          for i in 0..<2 {
            let r = forecast.positions[k][i] - positions[k][i]
            total += r * r
          }
        }
      }
      return total / Double(starts.count * 21)
    }
    let before = try forecastError(initial)
    let after = try forecastError(result.model)
    print(
      "VIN-mq double pendulum: loss \(initialLoss) → \(result.summary.bestLoss); "
        + "20-step forecast MSE \(before) → \(after)")
    // What it recovers: the normal-mode frequencies ω² = eig(M(0)⁻¹ ∇²V(0)), printed only
    // (truth 19.62 ± 13.87 for unit masses and lengths; the short data pin down the motion
    // near the observed states, not these numbers).
    let system = result.model.system
    let k = system.potentialHessian(at: [0, 0])
    let mass = system.massMatrix(at: [0, 0])
    let a = (mass.solve([k[0, 0], k[1, 0]]) ?? [.nan, .nan])
    let b = (mass.solve([k[0, 1], k[1, 1]]) ?? [.nan, .nan])
    let trace = a[0] + b[1]
    let determinant = a[0] * b[1] - b[0] * a[1]
    let root = (0.25 * trace * trace - determinant).squareRoot()
    print(
      "VIN-mq learned ω² at q = 0: \(0.5 * trace + root), \(0.5 * trace - root) (true 33.49, 5.75)")
    #expect(result.summary.bestLoss < 0.1 * initialLoss)
    #expect(after < 0.5 * before)
  }
}
