import DiscreteMechanics
import Foundation
import LagrangianLearning
import Testing
import _Differentiation

@Suite("VIN-SO(2)")
struct VINSO2Tests {
  static func cosineModel(amplitude: Double, inertiaRaw: Double) throws -> VINSO2<
    CosinePotential, ConstantMassMatrix
  > {
    try VINSO2(
      potential: CosinePotential(dimension: 1, amplitude: amplitude),
      mass: ConstantMassMatrix(dimension: 1, parameters: [inertiaRaw]), stepSize: 0.1)
  }

  @Test("rollout gradient matches finite differences (cosine and MLP potentials, batch of 2)")
  func gradients() throws {
    let cosine = try Self.cosineModel(amplitude: 7.0, inertiaRaw: 0.4)
    var generator = SeededGenerator(seed: 21)
    let mlp = try VINSO2(
      potential: MLPPotential(
        dimension: 1, width: 6, depth: 2, activation: .tanh, generator: &generator),
      mass: ConstantMassMatrix(dimension: 1, parameters: [0.2]), stepSize: 0.1)
    let e1 = rolloutGradientError(cosine, [2.0, 2.05], steps: 12)
    let e2 = rolloutGradientError(cosine, [2.0, 2.05, -0.5, -0.62], steps: 12)
    let e3 = rolloutGradientError(mlp, [0.3, 0.35, -1.0, -0.9], steps: 9)
    print("VIN-SO(2) gradient relative errors: cosine \(e1), batch \(e2), MLP \(e3)")
    #expect(e1 < 1e-6)
    #expect(e2 < 1e-6)
    #expect(e3 < 1e-6)
  }

  /// Network potentials on the circle: a one-hidden-layer MLP and an angular MLP (the fused
  /// network kernels) and a two-hidden-layer MLP (its hidden layer a BLAS product).
  static func networkModels() throws -> [VINSO2<MLPPotential, ConstantMassMatrix>] {
    var generator = SeededGenerator(seed: 31)
    return try [(1, 30), (2, 12)].map { depth, width in
      try VINSO2(
        potential: MLPPotential(
          dimension: 1, width: width, depth: depth, activation: .tanh, generator: &generator),
        mass: ConstantMassMatrix(dimension: 1, parameters: [0.2]), stepSize: 0.1)
    }
  }

  static func angularModel() throws -> VINSO2<AngularMLPPotential, ConstantMassMatrix> {
    var generator = SeededGenerator(seed: 32)
    return try VINSO2(
      potential: AngularMLPPotential(
        dimension: 1, width: 20, depth: 1, activation: .tanh, generator: &generator),
      mass: ConstantMassMatrix(dimension: 1, parameters: [-0.3]), stepSize: 0.1)
  }

  /// Four windows: slow, fast, turning over the top (`(0, 1.55)` under the cosine model of
  /// ``batchedIsSO2LGVI()`` fails mid-rollout), and one starting from rest.
  static let windows = [0.3, 0.35, -1.0, -0.9, 0.0, 1.55, 2.0, 2.0]

  /// One window `(θ₀, θ₁)` rolled out as the rollout did before it was batched: DiscreteMechanics'
  /// `SO2LGVI` on the rotor `(J, U′(θ) = potential.gradient(at: [θ]))` from
  /// `π₁ = (J/h) sin(θ₁ − θ₀) − (h/2)U′(θ₁)`, NaN from a step that throws on.
  static func lgviReference<Potential: LearnablePotential>(
    _ model: VINSO2<Potential, ConstantMassMatrix>, _ theta0: Double, _ theta1: Double,
    steps: Int
  ) throws -> [Double] {
    let rotor = Rotor(potential: model.potential, inertia: MassEvaluationProbe.inertia(model.mass))
    let h = model.stepSize
    var angles = [theta0, theta1]
    var state = RotorState(
      angle: theta1,
      momentum: rotor.inertia / h * sin(theta1 - theta0)
        - 0.5 * h * rotor.potentialDerivative(atAngle: theta1))
    var integrator = try SO2LGVI(system: rotor, stepSize: h)
    var failed = false
    for _ in 1..<steps {
      if !failed {
        do { try integrator.step(&state) } catch { failed = true }
      }
      angles.append(failed ? .nan : state.angle)
    }
    return angles
  }

  /// `a` and `b` have the same bits, a NaN matching any NaN.
  static func identical(_ a: [Double], _ b: [Double]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
  }

  /// The cosine model holds the arithmetic of `SO2LGVI` exactly (its batched gradient is its
  /// point gradient), so the two agree bit for bit, failed window included. The network
  /// potentials' batched passes (fused kernels, BLAS) add in another order than their
  /// single-point array passes, so those agree to round-off, grown by the steps.
  @Test("the batched rollout is SO2LGVI on the learned rotor, window by window")
  func batchedIsSO2LGVI() throws {
    let steps = 30
    let cosine = try Self.cosineModel(amplitude: 9.81, inertiaRaw: 0.5413)
    let rollout = cosine.rollout(from: Self.windows, steps: steps, workspace: RolloutWorkspace())
    var failures = 0
    for b in 0..<4 {
      let expected = try Self.lgviReference(
        cosine, Self.windows[2 * b], Self.windows[2 * b + 1], steps: steps)
      let actual = Array(rollout[(b * (steps + 1))..<((b + 1) * (steps + 1))])
      #expect(Self.identical(actual, expected), "window \(b)")
      if expected.contains(where: \.isNaN) { failures += 1 }
    }
    #expect(failures == 1)  // the turning window, a case that the comparison covers
    /// The largest |Δθ| between the batched rollout of `model` and the reference.
    func worst<Potential: LearnablePotential>(_ model: VINSO2<Potential, ConstantMassMatrix>)
      throws -> Double
    {
      let starts = Array(Self.windows[..<4]) + Array(Self.windows[6...])
      let rollout = model.rollout(from: starts, steps: steps, workspace: RolloutWorkspace())
      var worst = 0.0
      for b in 0..<3 {
        let expected = try Self.lgviReference(
          model, starts[2 * b], starts[2 * b + 1], steps: steps)
        for k in 0...steps {
          worst = max(worst, abs(rollout[b * (steps + 1) + k] - expected[k]))
        }
      }
      return worst
    }
    var errors = try Self.networkModels().map { try worst($0) }
    errors.append(try worst(Self.angularModel()))
    print("VIN-SO(2) batched rollout against SO2LGVI, max |Δθ| (MLP, deep MLP, angular): \(errors)")
    #expect(errors.allSatisfy { $0 < 1e-12 })
  }

  /// Each window's steps depend on its own numbers only. The cosine potential and the fused
  /// one-hidden-layer network kernels (plain and angular MLP) evaluate every point alone, so
  /// the batch is bit for bit the windows one by one; a hidden layer fed by another is an
  /// OpenBLAS matrix product over the batch, which sums a batch of B rows in another order than
  /// one row (its kernels block by the row count), so there the two agree to round-off.
  @Test("a batch of windows rolls out as the windows one by one, bit for bit with per-point passes")
  func batchEqualsSingles() throws {
    let steps = 20
    /// The batched rollout of `model` and its windows' rollouts one by one.
    func rollouts<Potential: LearnablePotential>(_ model: VINSO2<Potential, ConstantMassMatrix>)
      -> (batch: [Double], singles: [Double])
    {
      let batch = model.rollout(from: Self.windows, steps: steps)
      let singles = (0..<4).flatMap { b in
        model.rollout(from: Array(Self.windows[(2 * b)..<(2 * b + 2)]), steps: steps)
      }
      return (batch, singles)
    }
    let networks = try Self.networkModels()
    for result in [
      rollouts(try Self.cosineModel(amplitude: 9.81, inertiaRaw: 0.5413)), rollouts(networks[0]),
      rollouts(try Self.angularModel()),
    ] {
      #expect(Self.identical(result.batch, result.singles))
    }
    let deep = rollouts(networks[1])
    #expect(zip(deep.batch, deep.singles).allSatisfy { $0.isNaN == $1.isNaN })
    let finite = zip(deep.batch, deep.singles).filter { !$0.0.isNaN }
    let deepError = relativeError(finite.map(\.0), finite.map(\.1))
    print("VIN-SO(2) deep MLP: batched against one by one, relative error \(deepError)")
    #expect(deepError < 1e-14)
  }

  /// The gradient of the batched pullback (Hessian-vector products of the network in one call
  /// per step) in a workspace that earlier served a larger rollout, so its buffers hold stale
  /// numbers.
  @Test("batched gradient: MLP, deep MLP and angular potentials, 3 windows, reused workspace")
  func batchedGradients() throws {
    let starts = Array(Self.windows[..<4]) + Array(Self.windows[6...])
    let steps = 10
    /// The relative error of the parameter and start gradient against central differences.
    func error<Potential: LearnablePotential>(_ model: VINSO2<Potential, ConstantMassMatrix>)
      -> Double
    {
      let workspace = RolloutWorkspace()
      _ = model.rollout(from: Self.windows + Self.windows, steps: 25, workspace: workspace)
      let (_, gradients) = valueWithGradient(at: model, starts) { model, x0 in
        probeLoss(model.rollout(from: x0, steps: steps, workspace: workspace))
      }
      let analytic = model.flatten(gradients.0) + gradients.1.base
      let p = model.parameterCount
      let numeric = centralDifference(model.flatParameters + starts) { values in
        var perturbed = model
        perturbed.flatParameters = Array(values[..<p])
        return probeLoss(perturbed.rollout(from: Array(values[p...]), steps: steps))
      }
      return relativeError(analytic, numeric)
    }
    var errors = try Self.networkModels().map { error($0) }
    errors.append(error(try Self.angularModel()))
    // The short rollouts: no step (K = 0), the start alone (K = 1), one step (K = 2).
    let cosine = try Self.cosineModel(amplitude: 7.0, inertiaRaw: 0.4)
    for shortSteps in 0...2 {
      let shortError = rolloutGradientError(cosine, starts, steps: shortSteps)
      #expect(shortError < 1e-6, "K = \(shortSteps): \(shortError)")
    }
    print("VIN-SO(2) batched gradient relative errors (MLP, deep MLP, angular): \(errors)")
    #expect(errors.allSatisfy { $0 < 1e-6 })
  }

  /// Σ over the entries outside `skipped` of `(0.3 + 0.1 (i mod 7)) y_i + ½ y_i²`.
  static func probe(_ y: [Double], skipping skipped: Range<Int>) -> Double {
    var sum = 0.0
    for i in withoutDerivative(at: y.indices) where !skipped.contains(i) {
      sum += (0.3 + 0.1 * Double(i % 7)) * y[i] + 0.5 * y[i] * y[i]
    }
    return sum
  }

  /// A window that turns over the top and a window with a NaN start, between two good ones:
  /// each is NaN from the step at which `SO2LGVI` fails on, the good windows and the parameter
  /// gradient are exactly those of the good windows alone, and the failed windows' starts get
  /// NaN cotangents.
  @Test("a window whose step fails is NaN from that step on; the others are unaffected")
  func failedWindowIsIsolated() throws {
    let model = try Self.cosineModel(amplitude: 9.81, inertiaRaw: 0.5413)
    let steps = 13  // 14 rows per window: the probe's weights (i mod 7) move with the windows
    let length = steps + 1
    let good = Array(Self.windows[..<4])
    let bad = [0.0, 1.55, .nan, 0.2]
    let mixed = Array(good[..<2]) + bad + Array(good[2...])
    let turning = try Self.lgviReference(model, 0, 1.55, steps: steps)
    let failure = try #require(turning.firstIndex { $0.isNaN })
    #expect(failure > 2 && failure < steps)
    #expect(turning[failure...].allSatisfy { $0.isNaN })
    let workspace = RolloutWorkspace()
    let rollout = model.rollout(from: mixed, steps: steps, workspace: workspace)
    #expect(Self.identical(Array(rollout[length..<(2 * length)]), turning))
    let nanStart = Array(rollout[(2 * length)..<(3 * length)])
    #expect(nanStart[0].isNaN && nanStart[1] == 0.2 && nanStart[2...].allSatisfy { $0.isNaN })
    let alone = model.rollout(from: good, steps: steps)
    #expect(Array(rollout[..<length]) == Array(alone[..<length]))
    #expect(Array(rollout[(3 * length)...]) == Array(alone[length...]))
    let (aloneModel, aloneStarts) = _Differentiation.gradient(at: model, good) { model, x0 in
      Self.probe(model.rollout(from: x0, steps: steps), skipping: 0..<0)
    }
    let (mixedModel, mixedStarts) = _Differentiation.gradient(at: model, mixed) { model, x0 in
      Self.probe(
        model.rollout(from: x0, steps: steps, workspace: workspace),
        skipping: length..<(3 * length))
    }
    #expect(model.flatten(mixedModel) == model.flatten(aloneModel))
    #expect(model.flatten(aloneModel).allSatisfy { $0.isFinite && $0 != 0 })
    let starts = mixedStarts.base
    #expect(starts[2..<6].allSatisfy { $0.isNaN })
    #expect(Array(starts[..<2]) + Array(starts[6...]) == aloneStarts.base)
  }

  @Test("the rollout is SO2LGVI on the learned rotor, and satisfies the two-step form")
  func forwardIsSO2LGVI() throws {
    let model = try Self.cosineModel(amplitude: 9.81, inertiaRaw: 0.7)
    let j = MassEvaluationProbe.inertia(model.mass)
    let h = 0.1
    let (theta0, theta1) = (2.5, 2.52)
    let angles = model.rollout(from: [theta0, theta1], steps: 30)
    var residual = 0.0
    for k in 1..<30 {
      let lhs = j * sin(angles[k + 1] - angles[k])
      let rhs = j * sin(angles[k] - angles[k - 1]) - h * h * 9.81 * sin(angles[k])
      residual = max(residual, abs(lhs - rhs))
    }
    print("VIN-SO(2) two-step residual \(residual)")
    #expect(residual < 1e-12)
    #expect(angles[0] == theta0 && angles[1] == theta1)
  }

  @Test("a step with |sin Δ| > 1 gives NaN, and the trainer stops with a non-finite loss")
  func stepTooLarge() throws {
    let model = try Self.cosineModel(amplitude: 400, inertiaRaw: -3)
    let angles = model.rollout(from: [1.4, 1.6], steps: 5)
    #expect(angles[0] == 1.4 && angles[1] == 1.6)
    #expect(angles.contains { $0.isNaN })
    var times: [Double] = []
    var positions: [[Double]] = []
    for k in 0..<12 {
      times.append(Double(k) * 0.1)
      positions.append([1.4 + 0.2 * Double(k)])
    }
    let data = try ObservedTrajectory(times: times, positions: positions, velocities: nil)
    var config = TrainingConfiguration()
    config.horizon = 5
    config.iterations = 5
    config.validationFraction = 0
    config.initialStates = .firstObservation
    let result = try Trainer(configuration: config).train(model, on: [data])
    guard case .nonFiniteLoss = result.summary.stopReason else {
      Issue.record("expected a non-finite loss stop, got \(result.summary.stopReason)")
      return
    }
  }

  /// Data sampled every h = 0.1 by `SO2LGVI` at step `h / substeps`. With 1 the model class
  /// holds the truth and a/J is recovered to rounding. With 100 (a near-exact pendulum) the
  /// best h = 0.1 LGVI has a/J ≈ 9.454, 3.6% low (measured; the same optimum for learning rates
  /// 0.02 and 0.05): the discrete kinetic term `(J/h²)(1 − cos Δ)` under-counts fast swings
  /// (sin Δ ≈ Δ(1 − Δ²/6), Δ up to 0.4 here), which the fit absorbs into a smaller a/J.
  @Test("learns g/l = a/J of a pendulum from noiseless angles", arguments: [1, 100])
  func learnsPendulum(substeps: Int) throws {
    let pendulum = try Pendulum(mass: 1, length: 1, gravity: 9.81)
    let h = 0.1
    var trajectories: [ObservedTrajectory] = []
    for (theta, omega) in [(2.0, 0.0), (-1.0, 0.8), (0.5, -1.5)] {
      var integrator = try SO2LGVI(system: pendulum, stepSize: h / Double(substeps))
      var state = try pendulum.state(angle: theta, angularVelocity: omega)
      var times: [Double] = []
      var positions: [[Double]] = []
      for k in 0...30 {
        times.append(Double(k) * h)
        positions.append([state.angle])
        for _ in 0..<substeps { try integrator.step(&state) }
      }
      trajectories.append(
        try ObservedTrajectory(times: times, positions: positions, velocities: nil))
    }
    let model = try Self.cosineModel(amplitude: 3.0, inertiaRaw: 0.5413)
    var config = TrainingConfiguration()
    config.horizon = 10
    config.iterations = 1500
    config.learningRate = 0.02
    config.loss = .meanSquaredError
    config.validationFraction = 0
    config.initialStates = .firstObservation
    config.batchSize = 64
    let result = try Trainer(configuration: config).train(model, on: trajectories)
    let ratio = result.model.potential.amplitude / MassEvaluationProbe.inertia(result.model.mass)
    print(
      "VIN-SO(2) substeps \(substeps): learned a/J = \(ratio) (g/l = 9.81), "
        + "loss \(result.summary.bestLoss)")
    #expect(abs(ratio / 9.81 - 1) < (substeps == 1 ? 1e-6 : 0.05))
  }

  /// Fast swings (up to 0.9 rad per step) and Adam at 40 times the learning rate of
  /// `learnsPendulum`: an update overshoots into models whose step has no root for these swings
  /// (|sin Δ| > 1), where training used to stop. It is undone and retaken at half the rate, and
  /// training reaches the truth.
  @Test("an update into models without roots is undone, and training still recovers a/J")
  func stepBack() throws {
    let pendulum = try Pendulum(mass: 1, length: 1, gravity: 9.81)
    var trajectories: [ObservedTrajectory] = []
    for (theta, omega) in [(0.0, 9.0), (3.0, -6.0), (0.5, -1.5)] {
      var integrator = try SO2LGVI(system: pendulum, stepSize: 0.1)
      var state = try pendulum.state(angle: theta, angularVelocity: omega)
      var positions: [[Double]] = []
      for _ in 0...30 {
        positions.append([state.angle])
        try integrator.step(&state)
      }
      trajectories.append(
        try ObservedTrajectory(
          times: positions.indices.map { 0.1 * Double($0) }, positions: positions,
          velocities: nil))
    }
    var config = TrainingConfiguration()
    config.horizon = 10
    config.iterations = 1500
    config.learningRate = 0.8
    config.loss = .meanSquaredError
    config.validationFraction = 0
    config.initialStates = .firstObservation
    config.batchSize = 64
    let result = try Trainer(configuration: config).train(
      Self.cosineModel(amplitude: 3.0, inertiaRaw: 0.5413), on: trajectories)
    let ratio = result.model.potential.amplitude / MassEvaluationProbe.inertia(result.model.mass)
    #expect((result.summary.stepBacks ?? 0) >= 1)
    #expect(!result.summary.stopReason.isDivergence, "\(result.summary.stopReason)")
    #expect(abs(ratio / 9.81 - 1) < 1e-6, "a/J = \(ratio)")
  }

  @Test("save → load → forecast round trip")
  func fileRoundTrip() throws {
    let model = try Self.cosineModel(amplitude: 8.5, inertiaRaw: 0.3)
    let loaded = try ModelFile(json: ModelFile(model: model).encoded()).model()
    #expect(loaded.kind == .vinSO2)
    let a = try model.forecast(position: [2.0], velocity: [0.4], steps: 50)
    let b = try loaded.forecast(position: [2.0], velocity: [0.4], steps: 50)
    #expect(a == b)
    #expect(a.energies.map { e in e.allSatisfy { abs($0 - e[0]) < 0.05 * abs(e[0]) } } == true)
  }
}

/// `J = M₁₁` of a 1×1 learnable mass matrix.
enum MassEvaluationProbe {
  static func inertia(_ mass: some LearnableMassMatrix) -> Double { mass.entries()[0] }
}

/// A learnable potential of one angle with inertia J as a DiscreteMechanics `PlanarRotor`, its
/// derivative the potential's point gradient.
struct Rotor<Potential: LearnablePotential>: PlanarRotor {
  let potential: Potential
  let inertia: Double

  func potential(atAngle angle: Double) -> Double { potential.energy(at: [angle]) }
  func potentialDerivative(atAngle angle: Double) -> Double { potential.gradient(at: [angle])[0] }
}
