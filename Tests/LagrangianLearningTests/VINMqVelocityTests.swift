import DiscreteMechanics
import Foundation
import Manifolds
import Testing
import _Differentiation

@testable import LagrangianLearning

/// VIN-mq trained on positions and velocities: windows start from `(q₀, q̇₀)` with
/// `p₀ = M(q₀)q̇₀`, every step is implicit, and the rows are `(q_k, M(q_k)⁻¹p_k)`.
@Suite("VIN-mq observing velocities: gradients, the forced VariationalMidpoint, model files")
struct VINMqVelocityTests {
  /// Three windows `(q₀, q̇₀)` on R².
  static let starts: [Double] = [0.3, -0.2, 0.4, 0.6, -0.7, 0.4, 0.4, -0.8, 0.1, 0.9, -1.2, 0.6]

  /// `model` trained on velocities too.
  static func observingVelocities<Potential: LearnablePotential, Forces: LearnableForce>(
    _ model: VINMq<Potential, Forces>
  ) throws -> VINMq<Potential, Forces> {
    try VINMq(
      potential: model.potential, mass: model.mass, forces: model.forces,
      stepSize: model.stepSize, observesVelocities: true)
  }

  @Test("the gradient in V, M and the starts matches central differences, for 0 to 6 steps")
  func gradient() throws {
    let model = try Self.observingVelocities(VINMqTests.model(seed: 1, perturbation: 0.3))
    #expect(model.observationDimension == 4)
    for steps in [0, 1, 2, 6] {
      let error = rolloutGradientError(model, Self.starts, steps: steps)
      #expect(error < 1e-6, "\(steps) steps: relative error \(error)")
    }
  }

  @Test(
    "with constant and configuration-dependent forces the gradient matches central differences")
  func forcedGradients() throws {
    let steps = 5
    let constant = try Self.observingVelocities(ForcedVINMqTests.model(seed: 1, inputs: 2))
    let errors = ConfigurationForceTests.gradientErrors(
      constant, starts: Self.starts,
      inputs: ConfigurationForceTests.inputs(count: 3 * steps * 2, seed: 2),
      steps: steps)
    #expect(errors.all < 1e-6 && errors.forces < 1e-6, "constant forces: \(errors)")
    for angles in [false, true] {
      let forces = try ConfigurationForceTests.forces(angles: angles, seed: 3)
      let model = try Self.observingVelocities(
        ConfigurationForceTests.midpointModel(forces, seed: 4))
      let errors = ConfigurationForceTests.gradientErrors(
        model, starts: Self.starts,
        inputs: ConfigurationForceTests.inputs(count: 3 * steps * 2, seed: 5), steps: steps)
      #expect(errors.all < 1e-6 && errors.forces < 1e-6, "B(q), D(q), angles \(angles): \(errors)")
    }
  }

  /// The rollout and the forecast (forced `VariationalMidpoint` from `(q₀, M(q₀)q̇₀)`, velocities
  /// `M⁻¹p`) solve the same equations to round-off from different Newton guesses.
  @Test("the rollout's rows are the forced VariationalMidpoint's positions and velocities")
  func forwardIsVariationalMidpoint() throws {
    let steps = 40
    let model = try Self.observingVelocities(ForcedVINMqTests.model(seed: 6, inputs: 2))
    let inputs = ConfigurationForceTests.inputs(count: 3 * steps * 2, seed: 7)
    let rollout = model.rollout(
      from: Self.starts, inputs: inputs, steps: steps, workspace: RolloutWorkspace())
    var worst = 0.0
    for b in 0..<3 {
      let start = Array(Self.starts[(4 * b)..<(4 * b + 4)])
      let held = (0..<steps).map { k in
        Array(inputs[((b * steps + k) * 2)..<((b * steps + k) * 2 + 2)])
      }
      let forecast = try model.forecast(
        from: .coordinates(position: Array(start[..<2]), velocity: Array(start[2...])),
        inputs: held, steps: steps)
      guard case .coordinates(let expected) = forecast else {
        Issue.record("a coordinate forecast was expected")
        return
      }
      for k in 0...steps {
        let row = Array(rollout[((b * (steps + 1) + k) * 4)..<((b * (steps + 1) + k) * 4 + 4)])
        worst = max(
          worst, relativeError(row, expected.positions[k] + expected.velocities[k]))
      }
      #expect(Array(rollout[(b * (steps + 1) * 4)..<(b * (steps + 1) * 4 + 4)]) == start)
    }
    #expect(worst < 1e-11, "largest relative difference \(worst)")
  }

  @Test("a window whose first step fails is NaN from step 1; the others and θ̄ are unaffected")
  func failedWindowIsIsolated() throws {
    let model = try Self.observingVelocities(VINMqTests.angularModel(seed: 10))
    let good = Array(Self.starts[..<8])
    let bad = [0.1, 0.2, Double.nan, 0.2]
    let steps = 6
    let alone = model.rollout(from: good, steps: steps)
    let mixed = model.rollout(from: Array(good[..<4]) + bad + Array(good[4...]), steps: steps)
    let length = (steps + 1) * 4
    #expect(Array(mixed[..<length]) == Array(alone[..<length]))
    #expect(Array(mixed[(2 * length)...]) == Array(alone[length...]))
    #expect(mixed[length..<(2 * length)].dropFirst(4).allSatisfy { $0.isNaN })
    let aloneGradient = _Differentiation.gradient(at: model) {
      VINMqTests.probe($0.rollout(from: good, steps: steps), skipping: 0..<0)
    }
    let (mixedModel, mixedStarts) = _Differentiation.gradient(
      at: model, Array(good[..<4]) + bad + Array(good[4...])
    ) { model, x0 in
      VINMqTests.probe(model.rollout(from: x0, steps: steps), skipping: length..<(2 * length))
    }
    let starts = mixedStarts.base
    #expect(relativeError(model.flatten(mixedModel), model.flatten(aloneGradient)) < 1e-14)
    #expect(starts[4..<8].allSatisfy { $0.isNaN })
    #expect(starts[..<4].allSatisfy { $0.isFinite } && starts[8...].allSatisfy { $0.isFinite })
  }

  @Test("a model file records the choice; one without it observes positions; other kinds refuse it")
  func specification() throws {
    var specification = ModelSpecification(
      kind: .vinMq, dimension: 2, stepSize: 0.1,
      potential: .mlp(NetworkArchitecture(width: 4, depth: 1)),
      mass: .configuration(width: 3, activation: .tanh), observesVelocities: true)
    let data = try JSONEncoder().encode(specification)
    #expect(String(decoding: data, as: UTF8.self).contains("\"velocities\":true"))
    #expect(try JSONDecoder().decode(ModelSpecification.self, from: data) == specification)
    var generator = SeededGenerator(seed: 1)
    let model = try specification.makeModel(generator: &generator)
    #expect(model.observesVelocities)
    #expect(try model.specification == specification)
    specification.observesVelocities = false
    let positions = try JSONEncoder().encode(specification)
    #expect(!String(decoding: positions, as: UTF8.self).contains("velocities"))
    #expect(try !specification.makeModel(generator: &generator).observesVelocities)
    let verlet = ModelSpecification(
      kind: .vinStormerVerlet, dimension: 2, stepSize: 0.1,
      potential: .mlp(NetworkArchitecture(width: 4, depth: 1)), mass: .constant(),
      observesVelocities: true)
    #expect {
      try verlet.validate()
    } throws: { error in
      "\(error)".contains("velocities") && "\(error)".contains("vin-sv")
    }
  }
}
