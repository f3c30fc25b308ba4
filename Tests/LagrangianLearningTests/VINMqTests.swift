import DiscreteMechanics
import Foundation
import LagrangianLearning
import Manifolds
import Testing
import _Differentiation

@Suite("VIN-mq")
struct VINMqTests {
  static func model(seed: UInt64, perturbation: Double) throws -> VINMq<MLPPotential, NoForce> {
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
    let width = model.mass.width
    let diagonalBias = width * (n + 1) + 3 * width  // b₂[0]
    model.mass.parameters[diagonalBias] = -800
    let m = model.mass.matrix(at: [0.1, 0.2])
    #expect(m.storage.allSatisfy { $0.isFinite })
    #expect(m[0, 0] >= model.mass.epsilon)
    let initial = [0.1, 0.2, 0.1001, 0.21]
    let output = model.rollout(from: initial, steps: 4)
    #expect(output.allSatisfy { $0.isFinite })
    let tangent = _Differentiation.gradient(at: model) {
      probeLoss($0.rollout(from: initial, steps: 4))
    }
    #expect(model.flatten(tangent).allSatisfy { $0.isFinite })
  }

  /// A VIN-mq on angles as `vin fit --model vin-mq --angles` builds it: the potential sees
  /// `(cos q, sin q)`, the mass network q itself; every parameter perturbed so that M(q) varies.
  static func angularModel(seed: UInt64) throws -> VINMq<AngularMLPPotential, NoForce> {
    var generator = SeededGenerator(seed: seed)
    let potential = try AngularMLPPotential(
      dimension: 2, width: 9, depth: 1, activation: .tanh, generator: &generator)
    var mass = try ConfigurationMassMatrix(dimension: 2, width: 6, generator: &generator)
    for i in mass.parameters.indices {
      mass.parameters[i] += generator.nextNormal(standardDeviation: 0.3)
    }
    return try VINMq(potential: potential, mass: mass, stepSize: 0.05)
  }

  /// Four windows `(q₀, q₁)` of a double-pendulum-like motion.
  static let windows: [Double] = [
    0.3, -0.2, 0.32, -0.17, -0.7, 0.4, -0.68, 0.36, 0.1, 0.9, 0.06, 0.93, -0.2, -0.5, -0.25, -0.47,
  ]

  /// `VariationalMidpoint` on the learned system from `(q₀, q₁)`: `p₁ = D₂L_d(q₀, q₁)` by the
  /// integrator's own discrete Lagrangian, then `steps − 1` steps.
  static func reference<Potential: LearnablePotential>(
    _ model: VINMq<Potential, NoForce>, _ q0: [Double], _ q1: [Double], steps: Int
  ) throws -> [Double] {
    var lagrangian = try MidpointDiscreteLagrangian(system: model.system, stepSize: 0.05)
    var p1 = [0.0, 0.0]
    lagrangian.momentumAtEnd(from: q0, to: q1, into: &p1)
    var integrator = try VariationalMidpoint(system: model.system, stepSize: 0.05)
    let trajectory = try integrator.integrate(from: PhaseState(q: q1, p: p1), steps: steps - 1)
    return q0 + trajectory.states.flatMap(\.q)
  }

  /// The batched rollout solves each window's Newton iteration to round-off, as the integrator
  /// does, so the two agree to round-off (not bit for bit: the batched network passes and the
  /// integrator's single-point ones round differently, and the Newton iterations start from
  /// different guesses).
  @Test("the batched rollout is VariationalMidpoint on the learned system, window by window")
  func forwardIsVariationalMidpoint() throws {
    let plain = try Self.model(seed: 2, perturbation: 0.3)
    let angular = try Self.angularModel(seed: 8)
    let steps = 40
    let rollouts = [
      plain.rollout(from: Self.windows, steps: steps),
      angular.rollout(from: Self.windows, steps: steps, workspace: RolloutWorkspace()),
    ]
    for (m, rollout) in rollouts.enumerated() {
      var worst = 0.0
      for b in 0..<4 {
        let window = Array(Self.windows[(4 * b)..<(4 * b + 4)])
        let (q0, q1) = (Array(window[..<2]), Array(window[2...]))
        let expected =
          m == 0
          ? try Self.reference(plain, q0, q1, steps: steps)
          : try Self.reference(angular, q0, q1, steps: steps)
        let actual = Array(rollout[(b * (steps + 1) * 2)..<((b + 1) * (steps + 1) * 2)])
        worst = max(worst, zip(actual, expected).map { abs($0 - $1) }.max() ?? .nan)
      }
      print("VIN-mq batched rollout against VariationalMidpoint: max |Δq| \(worst) (model \(m))")
      #expect(worst < 1e-12)
    }
  }

  /// The batched pullback over several windows, in a workspace that earlier served a larger
  /// rollout (its buffers hold stale numbers), with the angular potential of `--angles`.
  @Test(
    "batched gradient: four windows, angular potential, n = 2, reused workspace, vs finite differences"
  )
  func batchedGradient() throws {
    let model = try Self.angularModel(seed: 9)
    let workspace = RolloutWorkspace()
    _ = model.rollout(from: Self.windows + Self.windows, steps: 9, workspace: workspace)
    let steps = 7
    let (_, gradients) = valueWithGradient(at: model, Self.windows) { model, x0 in
      probeLoss(model.rollout(from: x0, steps: steps, workspace: workspace))
    }
    let analytic = model.flatten(gradients.0) + gradients.1.base
    let p = model.parameterCount
    let numeric = centralDifference(model.flatParameters + Self.windows) { values in
      var perturbed = model
      perturbed.flatParameters = Array(values[..<p])
      return probeLoss(perturbed.rollout(from: Array(values[p...]), steps: steps))
    }
    let error = relativeError(analytic, numeric)
    print("VIN-mq batched (4 windows, angular) gradient relative error \(error)")
    #expect(error < 1e-6)
  }

  /// A window whose implicit step cannot be solved (here a NaN start) gives NaN from there on
  /// and a NaN start cotangent, and leaves the other windows' rollout and the parameter gradient
  /// exactly as without it.
  @Test("a window whose step fails is NaN; the others and the parameter gradient are unaffected")
  func failedWindowIsIsolated() throws {
    let model = try Self.angularModel(seed: 10)
    let good = Array(Self.windows[..<8])
    let bad = [0.1, 0.2, Double.nan, 0.2]
    let steps = 6
    let alone = model.rollout(from: good, steps: steps)
    let mixed = model.rollout(from: Array(good[..<4]) + bad + Array(good[4...]), steps: steps)
    let length = (steps + 1) * 2
    #expect(Array(mixed[..<length]) == Array(alone[..<length]))
    #expect(Array(mixed[(2 * length)...]) == Array(alone[length...]))
    #expect(mixed[length..<(2 * length)].dropFirst(4).allSatisfy { $0.isNaN })  // steps 2…
    let aloneGradient = _Differentiation.gradient(at: model) {
      Self.probe($0.rollout(from: good, steps: steps), skipping: 0..<0)
    }
    let (mixedModel, mixedStarts) = _Differentiation.gradient(
      at: model, Array(good[..<4]) + bad + Array(good[4...])
    ) { model, x0 in
      Self.probe(model.rollout(from: x0, steps: steps), skipping: length..<(2 * length))
    }
    let starts = mixedStarts.base
    #expect(relativeError(model.flatten(mixedModel), model.flatten(aloneGradient)) < 1e-14)
    #expect(starts[4..<8].allSatisfy { $0.isNaN })
    #expect(starts[..<4].allSatisfy { $0.isFinite } && starts[8...].allSatisfy { $0.isFinite })
  }

  /// A mass network far from the identity (parameters perturbed by N(0, 2²)) makes the steps
  /// from these starts jump by radians, and Newton's iteration stops converging within its 50
  /// iterations (`VariationalMidpoint`, with its `hybridsj` fallback, fails on the first window
  /// too, two steps later). Each window is then finite up to its failing step and NaN from there on; the
  /// rollout and its pullback do not trap.
  @Test("a window whose Newton iteration does not converge is NaN from that step on")
  func nonConvergenceIsNaN() throws {
    var generator = SeededGenerator(seed: 3)
    let potential = try AngularMLPPotential(
      dimension: 2, width: 9, depth: 1, activation: .tanh, generator: &generator)
    var mass = try ConfigurationMassMatrix(dimension: 2, width: 6, generator: &generator)
    for i in mass.parameters.indices {
      mass.parameters[i] += generator.nextNormal(standardDeviation: 2)
    }
    let model = try VINMq(potential: potential, mass: mass, stepSize: 0.05)
    let starts = [0, 0, 0.1, -0.2, 0.3, 0.1, 0.31, 0.12]
    let steps = 8
    let output = model.rollout(from: starts, steps: steps)
    for b in 0..<2 {
      let window = Array(output[(b * (steps + 1) * 2)..<((b + 1) * (steps + 1) * 2)])
      let failing = try #require(window.firstIndex { $0.isNaN }, "window \(b)")
      #expect(failing >= 4 && window[..<failing].allSatisfy { $0.isFinite })
      #expect(window[failing...].allSatisfy { $0.isNaN })
    }
    let (_, startsBar) = _Differentiation.gradient(at: model, starts) { model, x0 in
      Self.probe(model.rollout(from: x0, steps: 3), skipping: 0..<0)
    }
    #expect(startsBar.base.allSatisfy { $0.isFinite })
  }

  /// `probeLoss` of the outputs outside `skipped`.
  @differentiable(reverse,wrt: y)
  static func probe(_ y: [Double], skipping skipped: Range<Int>) -> Double {
    var sum = 0.0
    for i in withoutDerivative(at: y.indices) where !skipped.contains(i) {
      sum += (0.3 + 0.1 * Double(i % 7)) * y[i] + 0.5 * y[i] * y[i]
    }
    return sum
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

    func forecastError(_ model: VINMq<MLPPotential, NoForce>) throws -> Double {
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
