import DiscreteMechanics
import Foundation
import Manifolds
import Testing
import _Differentiation

@testable import LagrangianLearning

/// VIN-mq with learned forces `F = B u − D q̇`: the forced implicit midpoint rule (discrete
/// Lagrange–d'Alembert) with a configuration-dependent mass matrix.
@Suite("Forced VIN-mq: gradients, the forced VariationalMidpoint, learning b and B")
struct ForcedVINMqTests {
  static let stepSize = 0.05

  /// A VIN-mq on R² with a perturbed mass network (so that M depends on q), and forces with
  /// `inputs` inputs and dissipation.
  static func model(seed: UInt64, inputs m: Int) throws -> VINMq<MLPPotential, ConstantForce> {
    var generator = SeededGenerator(seed: seed)
    let potential = try MLPPotential(
      dimension: 2, width: 8, depth: 1, activation: .tanh, generator: &generator)
    var mass = try ConfigurationMassMatrix(dimension: 2, width: 4, generator: &generator)
    for i in mass.parameters.indices {
      mass.parameters[i] += generator.nextNormal(standardDeviation: 0.3)
    }
    var forces = try ConstantForce(dimension: 2, inputCount: m, dissipation: true)
    // B row by row, then L's lower triangle (D = LLᵀ, not diagonal).
    forces.flatParameters =
      [0.5, -0.3, 0.2, 0.7].prefix(2 * m) + [0.6, 0.2, 0.4]
    return try VINMq(potential: potential, mass: mass, forces: forces, stepSize: stepSize)
  }

  /// Four windows `(q₀, q₁)`.
  static let windows: [Double] = [
    0.3, -0.2, 0.32, -0.17, -0.7, 0.4, -0.68, 0.36, 0.1, 0.9, 0.06, 0.93, -0.2, -0.5, -0.25, -0.47,
  ]

  /// Window-major inputs `u_0, …, u_{K−1}` of B windows, m each.
  static func inputs(batch: Int, steps: Int, m: Int, seed: UInt64) -> [Double] {
    var generator = SeededGenerator(seed: seed)
    return (0..<(batch * steps * m)).map { _ in generator.nextStandardNormal() }
  }

  @Test("the gradients in V, M, B, D and the starts match central differences (m = 2 and m = 0)")
  func gradients() throws {
    let steps = 6
    let starts = Array(Self.windows[..<8])
    for m in [2, 0] {
      let model = try Self.model(seed: 1, inputs: m)
      let inputs = Self.inputs(batch: 2, steps: steps, m: m, seed: 2)
      func loss(_ model: VINMq<MLPPotential, ConstantForce>, _ x0: [Double]) -> Double {
        probeLoss(
          model.rollout(from: x0, inputs: inputs, steps: steps, workspace: RolloutWorkspace()))
      }
      let (_, gradient) = valueWithGradient(at: model, starts) { model, x0 in
        probeLoss(
          model.rollout(from: x0, inputs: inputs, steps: steps, workspace: RolloutWorkspace()))
      }
      let analytic = model.flatten(gradient.0) + [Double](dense: gradient.1, count: starts.count)
      let p = model.parameterCount
      let numeric = centralDifference(model.flatParameters + starts) { values in
        var perturbed = model
        perturbed.flatParameters = Array(values[..<p])
        return loss(perturbed, Array(values[p...]))
      }
      let forceGradient = Array(analytic[(p - model.forces.parameterCount)..<p])
      let forceNumeric = Array(numeric[(p - model.forces.parameterCount)..<p])
      let error = relativeError(analytic, numeric)
      let forceError = relativeError(forceGradient, forceNumeric)
      print("forced VIN-mq (m = \(m)) gradient relative error \(error), B and D \(forceError)")
      #expect(error < 1e-6)
      #expect(forceError < 1e-6)
    }
  }

  /// DiscreteMechanics' forced `VariationalMidpoint` on the learned system with the learned B
  /// and D, from `(q₀, q₁)`: `p₁ = D₂L_d(q₀, q₁) + f_d⁺(q₀, q₁)` under `u₀`, then `steps − 1`
  /// steps, step k under `u_k`.
  static func reference(
    _ model: VINMq<MLPPotential, ConstantForce>, _ q0: [Double], _ q1: [Double],
    inputs: [[Double]], steps: Int
  ) throws -> [Double] {
    let m = model.forces.inputCount
    let forces = try ActuatorsAndDamping(
      inputMatrix: Matrix(rows: 2, columns: m, storage: model.forces.inputMatrix()),
      dissipation: Matrix(rows: 2, columns: 2, storage: model.forces.dissipation()))
    var lagrangian = try MidpointDiscreteLagrangian(system: model.system, stepSize: stepSize)
    var integrator = try VariationalMidpoint(
      system: model.system, stepSize: stepSize, forces: forces)
    try integrator.holdInput(inputs[0])
    var p1 = [0.0, 0.0]
    lagrangian.momentumAtEnd(from: q0, to: q1, into: &p1)
    let discreteForces = try integrator.discreteForces(
      from: PhaseState(q: q0, p: p1), to: PhaseState(q: q1, p: p1))
    var state = PhaseState(q: q1, p: zip(p1, discreteForces.end).map { $0 + $1 })
    var positions = q0 + q1
    for k in 1..<steps {
      try integrator.holdInput(inputs[k])
      try integrator.step(&state)
      positions += state.q
    }
    return positions
  }

  @Test("the batched forced rollout is the forced VariationalMidpoint on the learned system")
  func rolloutIsForcedVariationalMidpoint() throws {
    let model = try Self.model(seed: 3, inputs: 2)
    let steps = 40
    let inputs = Self.inputs(batch: 4, steps: steps, m: 2, seed: 4)
    let rollout = model.rollout(
      from: Self.windows, inputs: inputs, steps: steps, workspace: RolloutWorkspace())
    var worst = 0.0
    for b in 0..<4 {
      let window = Array(Self.windows[(4 * b)..<(4 * b + 4)])
      let held = (0..<steps).map { k in
        Array(inputs[((b * steps + k) * 2)..<((b * steps + k) * 2 + 2)])
      }
      let expected = try Self.reference(
        model, Array(window[..<2]), Array(window[2...]), inputs: held, steps: steps)
      let actual = Array(rollout[(b * (steps + 1) * 2)..<((b + 1) * (steps + 1) * 2)])
      worst = max(worst, zip(actual, expected).map { abs($0 - $1) }.max() ?? .nan)
    }
    // The forces matter: the unforced rollout is far from it.
    let unforced = try VINMq(potential: model.potential, mass: model.mass, stepSize: Self.stepSize)
      .rollout(from: Self.windows, steps: steps)
    let difference = zip(unforced, rollout).map { abs($0 - $1) }.max() ?? .nan
    print("forced VIN-mq rollout against forced VariationalMidpoint: max |Δq| \(worst)")
    #expect(worst < 1e-12)
    #expect(difference > 0.1)
  }

  /// The forecast steps from `(q₀, q̇₀)`; the rollout from its first two positions under the same
  /// inputs continues it (`p₁ = D₂L_d + f_d⁺` is the forecast's `p₁`).
  @Test("the rollout from a forecast's first two positions reproduces the forecast")
  func rolloutContinuesTheForecast() throws {
    let model = try Self.model(seed: 5, inputs: 2)
    let steps = 30
    let inputs = Self.inputs(batch: 1, steps: steps, m: 2, seed: 6)
    let forecast = try model.forecast(
      position: [0.2, -0.4], velocity: [0.5, 0.3],
      inputs: (0..<steps).map { Array(inputs[(2 * $0)..<(2 * $0 + 2)]) })
    let rollout = model.rollout(
      from: forecast.positions[0] + forecast.positions[1], inputs: inputs, steps: steps,
      workspace: RolloutWorkspace())
    let error = zip(rollout, forecast.positions.flatMap { $0 }).map { abs($0 - $1) }.max() ?? .nan
    #expect(error < 1e-12, "\(error)")
  }

  @Test("with B = 0 and D = 0 the forced rollout is the conservative one, bit for bit")
  func vanishingForcesAreConservative() throws {
    var model = try Self.model(seed: 7, inputs: 2)
    model.forces.flatParameters = Array(repeating: 0, count: model.forces.parameterCount)
    let conservative = try VINMq(
      potential: model.potential, mass: model.mass, stepSize: Self.stepSize)
    let steps = 20
    let inputs = Self.inputs(batch: 4, steps: steps, m: 2, seed: 8)
    #expect(
      model.rollout(from: Self.windows, inputs: inputs, steps: steps, workspace: RolloutWorkspace())
        == conservative.rollout(from: Self.windows, steps: steps))
  }

  /// Noiseless positions (6 s at h = 0.1) of `m q̈ + b q̇ + k q = g u` under piecewise-constant
  /// random inputs, fitted by a VIN-mq with a quadratic potential and a mass network (which has
  /// to learn that M does not depend on q; it varies by about 0.1 % over q ∈ [−1.5, 1.5]): the
  /// identifiable ratios k/m, b/m and g/m, to 0.4 % in 200 iterations (the midpoint rule's
  /// O(h²) bias is about 0.1 %).
  @Test("noiseless damped driven oscillator: k/m, b/m and the input gain within 1 %")
  func learnsDampingAndGain() throws {
    let (m, b, k, g) = (1.5, 0.3, 2.0, 0.8)
    let h = 0.1
    var generator = SeededGenerator(seed: 7)
    var trajectories: [ObservedTrajectory] = []
    for _ in 0..<1 {
      var inputs: [Double] = []
      for _ in 0..<6 {
        inputs += Array(repeating: generator.nextStandardNormal(), count: 10)
      }
      let exact = ForcedVINTests.oscillator(
        m: m, b: b, k: k, g: g, q0: generator.nextStandardNormal(),
        v0: generator.nextStandardNormal(), inputs: inputs, stepSize: h)
      trajectories.append(
        try ObservedTrajectory(
          times: exact.positions.indices.map { Double($0) * h },
          positions: exact.positions.map { [$0] }
        ).withInputs((inputs + [0]).map { [$0] }))
    }
    let model = try VINMq(
      potential: QuadraticPotential(dimension: 1, stiffness: 1),
      mass: ConfigurationMassMatrix(dimension: 1, width: 4, generator: &generator),
      forces: ConstantForce(dimension: 1, inputCount: 1, dissipation: true),
      stepSize: h)
    var config = TrainingConfiguration()
    config.iterations = 200
    config.learningRate = 0.05
    config.learningRateSchedule = .cosine
    config.horizon = 4
    config.initialStates = .firstObservation
    config.loss = .meanSquaredError
    let fitted = try Trainer(configuration: config).train(model, on: trajectories).model
    let masses = [-1.5, 0, 1.5].map { fitted.mass.matrix(at: [$0])[0, 0] }
    let learnedMass = masses[1]
    let stiffness = fitted.potential.stiffness / learnedMass
    let damping = fitted.forces.dissipation()[0] / learnedMass
    let gain = fitted.forces.inputMatrix()[0] / learnedMass
    print(
      "VIN-mq learned k/m \(stiffness), b/m \(damping), g/m \(gain); true \(k / m), \(b / m), \(g / m); M(−1.5, 0, 1.5) \(masses)"
    )
    #expect(abs(stiffness / (k / m) - 1) < 0.01)
    #expect(abs(damping / (b / m) - 1) < 0.01)
    #expect(abs(gain / (g / m) - 1) < 0.01)
  }
}
