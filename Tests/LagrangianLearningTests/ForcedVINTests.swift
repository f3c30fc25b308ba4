import DiscreteMechanics
import Foundation
import Manifolds
import Testing
import _Differentiation

@testable import LagrangianLearning

/// VIN-VV with learned forces `F = B u − D q̇` (the discrete Lagrange–d'Alembert principle).
@Suite("Forced VIN-VV: gradients, convergence to the damped driven oscillator, learning b and B")
struct ForcedVINTests {
  /// The damped driven oscillator `m q̈ + b q̇ + k q = g u` with u held over each step of h,
  /// exactly: on each hold interval the motion is the under-damped one about `q* = g u/k`.
  static func oscillator(
    m: Double, b: Double, k: Double, g: Double, q0: Double, v0: Double, inputs: [Double],
    stepSize h: Double
  ) -> (positions: [Double], velocities: [Double]) {
    let gamma = b / (2 * m)
    let omega = (k / m - gamma * gamma).squareRoot()
    var (q, v) = (q0, v0)
    var positions = [q]
    var velocities = [v]
    for u in inputs {
      let rest = g * u / k
      let a = q - rest
      let c = (v + gamma * a) / omega
      let decay = exp(-gamma * h)
      let (cosine, sine) = (cos(omega * h), sin(omega * h))
      q = rest + decay * (a * cosine + c * sine)
      v = decay * ((-gamma * a + omega * c) * cosine + (-gamma * c - omega * a) * sine)
      positions.append(q)
      velocities.append(v)
    }
    return (positions, velocities)
  }

  /// A VIN-VV with the exact `V = ½kq²`, `M = 1`, `B = g`, `D = b`.
  static func trueModel(b: Double, k: Double, g: Double, stepSize h: Double) throws
    -> VINVelocityVerlet<QuadraticPotential, IdentityMassMatrix, ConstantForce>
  {
    try VINVelocityVerlet(
      potential: QuadraticPotential(dimension: 1, stiffness: k),
      mass: IdentityMassMatrix(dimension: 1),
      forces: ConstantForce(
        dimension: 1, inputCount: 1, dissipation: true, parameters: [g, b.squareRoot()]),
      stepSize: h)
  }

  @Test("the parameter and initial-state gradients match central differences (n = 2, m = 2)")
  func gradients() throws {
    var generator = SeededGenerator(seed: 3)
    var mass = ConstantMassMatrix(dimension: 2)
    mass.flatParameters = [0.3, 0.8, 0.2]
    var forces = try ConstantForce(dimension: 2, inputCount: 2, dissipation: true)
    forces.flatParameters = [0.5, -0.3, 0.2, 0.7, 0.4, 0.1, 0.3]
    let model = try VINVelocityVerlet(
      potential: MLPPotential(
        dimension: 2, width: 6, depth: 1, activation: .tanh, generator: &generator),
      mass: mass, forces: forces, stepSize: 0.1)
    let steps = 6
    let initial = [0.3, -0.2, 0.5, 0.1, -0.7, 0.4, -0.1, 0.6]
    let inputs = (0..<(2 * steps * 2)).map { _ in generator.nextStandardNormal() }
    func loss(
      _ model: VINVelocityVerlet<MLPPotential, ConstantMassMatrix, ConstantForce>, _ x0: [Double]
    ) -> Double {
      probeLoss(
        model.rollout(from: x0, inputs: inputs, steps: steps, workspace: RolloutWorkspace()))
    }
    let (_, gradient) = valueWithGradient(at: model, initial) { model, x0 in
      probeLoss(
        model.rollout(from: x0, inputs: inputs, steps: steps, workspace: RolloutWorkspace()))
    }
    let analytic = model.flatten(gradient.0) + [Double](dense: gradient.1, count: initial.count)
    let p = model.parameterCount
    let numeric = centralDifference(model.flatParameters + initial) { values in
      var perturbed = model
      perturbed.flatParameters = Array(values[..<p])
      return loss(perturbed, Array(values[p...]))
    }
    #expect(relativeError(analytic, numeric) < 1e-7, "\(relativeError(analytic, numeric))")
  }

  @Test("the forced rollout is DiscreteMechanics' forced StormerVerlet on the learned system")
  func rolloutIsForcedStormerVerlet() throws {
    var generator = SeededGenerator(seed: 5)
    var mass = ConstantMassMatrix(dimension: 2)
    mass.flatParameters = [0.3, 0.8, 0.2]
    var forces = try ConstantForce(dimension: 2, inputCount: 2, dissipation: true)
    forces.flatParameters = [0.5, -0.3, 0.2, 0.7, 0.4, 0.1, 0.3]
    let potential = try MLPPotential(
      dimension: 2, width: 6, depth: 1, activation: .tanh, generator: &generator)
    let model = try VINVelocityVerlet(
      potential: potential, mass: mass, forces: forces, stepSize: 0.1)
    let steps = 25
    let inputs = (0..<steps).map { _ in
      [generator.nextStandardNormal(), generator.nextStandardNormal()]
    }
    let (q0, v0) = ([0.3, -0.2], [0.5, 0.1])
    let rollout = model.rollout(
      from: q0 + v0, inputs: inputs.flatMap { $0 }, steps: steps, workspace: RolloutWorkspace())
    let evaluation = MassEvaluation(mass)
    let system = LearnedSystem(potential: potential, mass: evaluation.mass)
    var integrator = try StormerVerlet(
      system: system, stepSize: 0.1,
      forces: ActuatorsAndDamping(
        inputMatrix: Matrix(rows: 2, columns: 2, storage: forces.inputMatrix()),
        dissipation: Matrix(rows: 2, columns: 2, storage: forces.dissipation())))
    var state = PhaseState(q: q0, p: evaluation.mass * v0)
    var expected = state.q + evaluation.inverse * state.p
    for k in 0..<steps {
      try integrator.holdInput(inputs[k])
      try integrator.step(&state)
      expected += state.q + evaluation.inverse * state.p
    }
    #expect(relativeError(rollout, expected) < 1e-13, "\(relativeError(rollout, expected))")
  }

  @Test("with B = 0 and D = 0 the forced step is the conservative one (to round-off)")
  func vanishingForcesAreConservative() throws {
    var generator = SeededGenerator(seed: 4)
    let potential = try MLPPotential(
      dimension: 2, width: 6, depth: 1, activation: .tanh, generator: &generator)
    var mass = ConstantMassMatrix(dimension: 2)
    mass.flatParameters = [0.3, 0.8, 0.2]
    let conservative = try VINVelocityVerlet(potential: potential, mass: mass, stepSize: 0.1)
    let zero = try ConstantForce(dimension: 2, inputCount: 1, dissipation: false)
    let forced = try VINVelocityVerlet(
      potential: potential, mass: mass, forces: zero, stepSize: 0.1)
    let initial = [0.3, -0.2, 0.5, 0.1]
    let expected = conservative.rollout(from: initial, steps: 20)
    let inputs = (0..<20).map { _ in generator.nextStandardNormal() }
    let actual = forced.rollout(
      from: initial, inputs: inputs, steps: 20, workspace: RolloutWorkspace())
    #expect(relativeError(actual, expected) < 1e-14)
  }

  @Test("with the true V, M, B and D the forecast converges to the exact solution with order 2")
  func secondOrder() throws {
    let (b, k, g) = (0.3, 2.0, 0.8)
    var errors: [Double] = []
    for h in [0.04, 0.02] {
      let steps = Int((2 / h).rounded())
      let inputs = (0..<steps).map { Double(($0 * 5) / steps) - 2 }
      let exact = Self.oscillator(
        m: 1, b: b, k: k, g: g, q0: 0.7, v0: -0.4, inputs: inputs, stepSize: h)
      let model = try Self.trueModel(b: b, k: k, g: g, stepSize: h)
      let forecast = try model.forecast(
        position: [0.7], velocity: [-0.4], inputs: inputs.map { [$0] })
      errors.append(
        abs(forecast.positions[steps][0] - exact.positions[steps])
          + abs(forecast.velocities[steps][0] - exact.velocities[steps]))
    }
    let order = log2(errors[0] / errors[1])
    #expect(abs(order - 2) < 0.1, "errors \(errors), order \(order)")
  }

  @Test("noiseless damped driven oscillator: k/m, b/m and the input gain within 1 %")
  func learnsDampingAndGain() throws {
    let (m, b, k, g) = (1.5, 0.3, 2.0, 0.8)
    let h = 0.05
    var generator = SeededGenerator(seed: 7)
    var trajectories: [ObservedTrajectory] = []
    for _ in 0..<2 {
      var inputs: [Double] = []
      for _ in 0..<6 {
        inputs += Array(repeating: generator.nextStandardNormal(), count: 10)
      }
      let exact = Self.oscillator(
        m: m, b: b, k: k, g: g, q0: generator.nextStandardNormal(),
        v0: generator.nextStandardNormal(), inputs: inputs, stepSize: h)
      trajectories.append(
        try ObservedTrajectory(
          times: exact.positions.indices.map { Double($0) * h },
          positions: exact.positions.map { [$0] }, velocities: exact.velocities.map { [$0] }
        ).withInputs((inputs + [0]).map { [$0] }))
    }
    let model = try VINVelocityVerlet(
      potential: QuadraticPotential(dimension: 1, stiffness: 1),
      mass: ConstantMassMatrix(dimension: 1),
      forces: ConstantForce(dimension: 1, inputCount: 1, dissipation: true),
      stepSize: h)
    var config = TrainingConfiguration()
    config.iterations = 1000
    config.learningRate = 0.03
    config.learningRateSchedule = .cosine
    config.horizon = 10
    config.initialStates = .firstObservation
    config.loss = .meanSquaredError
    let fitted = try Trainer(configuration: config).train(model, on: trajectories).model
    let learnedMass = MassEvaluation(fitted.mass).mass[0, 0]
    let stiffness = fitted.potential.stiffness / learnedMass
    let damping = fitted.forces.dissipation()[0] / learnedMass
    let gain = fitted.forces.inputMatrix()[0] / learnedMass
    print(
      "learned k/m \(stiffness), b/m \(damping), g/m \(gain); true \(k / m), \(b / m), \(g / m)")
    #expect(abs(stiffness / (k / m) - 1) < 0.01)
    #expect(abs(damping / (b / m) - 1) < 0.01)
    #expect(abs(gain / (g / m) - 1) < 0.01)
  }
}
