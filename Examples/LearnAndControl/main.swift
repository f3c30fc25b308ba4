// LearnAndControl: learn a damped pendulum from noisy data recorded under known torques, then
// swing the true pendulum up with controllers built from what was learned.
//
// A forced VIN-VV learns a Lagrangian L_θ = ½ M̂ q̇² − V̂(q) and forces F = B̂ u − D̂ q̇, so it
// knows the pendulum's energy and how the torque and the damping change it; a forced ResNet
// x + h f(x, u) learns the same data as a map from state and torque to the next state. Both are
// fitted with the library's defaults (`vin fit --angles`, the VIN with `--dissipation constant`),
// forecast under fresh torque sequences, and then drive the true pendulum from rest near the
// bottom to the upright with a torque too weak to lift it directly: by energy shaping, which needs
// the learned energy (the VIN has one, the ResNet none), and by receding-horizon prediction,
// which needs forecasts only (all models have them). The exact model (the true Lagrangian and
// forces in the VIN's form) is the reference.
//
//     swift run -c release LearnAndControl [learn-and-control.svg]

import FileOutput
import Foundation
import Plotting
import VINKit

// The smoke tests set VINKIT_EXAMPLES_QUICK for a shorter run (they use a debug build): 4 training
// trajectories and 20 iterations, three swing-up starts instead of ten, and no predictive control
// from the ResNet (whose batched rollout is slow in a debug build).
let isQuickRun = ProcessInfo.processInfo.environment["VINKIT_EXAMPLES_QUICK"] != nil

// LEARN_AND_CONTROL_SEED (the data, default 1) and LEARN_AND_CONTROL_ITERATIONS (default 1500;
// 31500 is `vin fit`'s whole budget, ended by its stopping rule) override the settings, for the
// benchmark over seeds in Docs/Learning.md.
func setting<Value: LosslessStringConvertible>(_ name: String, _ value: Value) -> Value {
  ProcessInfo.processInfo.environment["LEARN_AND_CONTROL_" + name].flatMap(Value.init) ?? value
}

do {
  let clock = ContinuousClock()
  let start = clock.now
  func seconds(since instant: ContinuousClock.Instant) -> Double {
    let duration = clock.now - instant
    return Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
  }

  // MARK: 1. Data

  // The pendulum m = l = 1 (so M = 1, B = 1), g = 9.81, with viscous damping b = 0.1 N m s at the
  // pivot, sampled every h = 0.1 s. Each of 20 training trajectories starts as in the VIN paper,
  // |q0| ∈ (π/2, π − 0.1) with a random sign and q̇0 ∈ (−1, 1), and is driven by a fresh random
  // torque: N(0, 1) N m held 0.5 s (five samples). Of its 50 samples, q and q̇ are observed with
  // noise N(0, 0.05²); the torques are known exactly (they were commanded).
  let stepSize = 0.1
  let damping = 0.1
  var truth = try TruePendulum(damping: damping, stepSize: stepSize)
  let gravityTorque = truth.system.m * truth.system.gravity * truth.system.length
  let (trainingCount, samples, noise) = (isQuickRun ? 4 : 20, 50, 0.05)
  let (testCount, forecastSteps) = (10, 100)

  /// `count` torques N(0, 1), each held for five samples.
  func randomTorques(_ count: Int, _ generator: inout SeededGenerator) -> [Double] {
    var torques: [Double] = []
    while torques.count < count {
      torques += Array(repeating: generator.nextStandardNormal(), count: 5)
    }
    return Array(torques.prefix(count))
  }
  func initialState(_ generator: inout SeededGenerator) -> (q: Double, v: Double) {
    let magnitude = Double.pi / 2 + generator.nextUniform() * (Double.pi / 2 - 0.1)
    let sign: Double = generator.nextUniform() < 0.5 ? -1 : 1
    return (sign * magnitude, 2 * generator.nextUniform() - 1)
  }

  var generator = SeededGenerator(seed: setting("SEED", UInt64(1)))
  var training: [ObservedTrajectory] = []
  for _ in 0..<trainingCount {
    let (q0, v0) = initialState(&generator)
    // One torque per sample; the last is held after the last sample and never acts.
    let torques = randomTorques(samples, &generator)
    let motion = try truth.trajectory(from: q0, v0, torques: Array(torques.dropLast()))
    training.append(
      try ObservedTrajectory(
        times: (0..<samples).map { Double($0) * stepSize },
        positions: motion.q.map { [$0 + generator.nextNormal(standardDeviation: noise)] },
        velocities: motion.v.map { [$0 + generator.nextNormal(standardDeviation: noise)] }
      ).withInputs(torques.map { [$0] }))
  }
  let tests = try (0..<testCount).map { _ in
    let (q0, v0) = initialState(&generator)
    let torques = randomTorques(forecastSteps, &generator)
    return (torques: torques, motion: try truth.trajectory(from: q0, v0, torques: torques))
  }

  // MARK: 2. Two models, the library's defaults

  // `vin fit`'s defaults (Docs/Learning.md, "The training recipe"): one hidden layer of 100 tanh
  // units, the initial weights drawn with the training seed, Adam 5·10⁻³ on all windows of
  // horizon 10 with cosine restarts, inferred window starts, Gaussian likelihood loss; the angle
  // enters both networks as (cos q, sin q) (`--angles`). One change: training ends after the first
  // two restart cycles (500 + 1000 iterations) instead of at the stopping rule (within 31 500),
  // which keeps the whole program within two minutes; the benchmark in Docs/Learning.md runs the
  // whole recipe too.
  // - forced VIN-VV: V̂ an MLP of (cos q, sin q), M̂ a learned constant, B̂ learned from 0 and
  //   D̂ = LLᵀ from 0.01 (`--dissipation constant`), stepped by the discrete Lagrange–d'Alembert
  //   (forced Störmer–Verlet) step;
  // - forced ResNet: x_{k+1} = x_k + h f(x_k, u_k), f an MLP of (cos q, sin q, q̇, u).
  var configuration = TrainingConfiguration()
  configuration.iterations = setting("ITERATIONS", isQuickRun ? 20 : 1500)
  if isQuickRun { configuration.learningRateSchedule = .cosine }
  var weights = SeededGenerator(seed: configuration.seed)
  let vin = try VINVelocityVerlet(
    potential: AngularMLPPotential(
      dimension: 1, width: 100, depth: 1, activation: .tanh, generator: &weights),
    mass: ConstantMassMatrix(dimension: 1),
    forces: ConstantForce(dimension: 1, inputCount: 1, dissipation: true), stepSize: stepSize)
  weights = SeededGenerator(seed: configuration.seed)
  let resnet = try BaselineModel(
    architecture: .residual, dimension: 1, width: 100, depth: 1, activation: .tanh,
    stepSize: stepSize, angularPositions: true, inputCount: 1, generator: &weights)
  // The reference: the true Lagrangian ½q̇² − g(1 − cos q) and forces u − b q̇ in the VIN's form,
  // stepped by the same forced Störmer–Verlet step at h (the best any VIN-VV can do).
  let exact = try VINVelocityVerlet(
    potential: CosinePotential(dimension: 1, amplitude: truth.system.gravity),
    mass: IdentityMassMatrix(dimension: 1),
    forces: ConstantForce(
      dimension: 1, inputCount: 1, dissipation: true, parameters: [1, damping.squareRoot()]),
    stepSize: stepSize)

  /// `model` trained on the data, with a line on how training ended.
  func fit<Model: RolloutModel>(_ model: Model, name: String) throws -> Model {
    let fitStart = clock.now
    let result = try Trainer(configuration: configuration).train(model, on: training)
    print(
      "\(name): \(model.parameterCount) parameters, \(result.summary.iterations) iterations, "
        + "\(result.summary.stopReason) (\(TextTable.fixed(seconds(since: fitStart), 1)) s)")
    return result.model
  }
  print(
    "Data: \(trainingCount) trajectories of \(samples) samples, h = \(stepSize) s, noise σ = "
      + "\(noise) on q and q̇, torques N(0, 1) held 0.5 s (known); damping b = \(damping) N m s\n")
  let fittedVIN = try fit(vin, name: "forced VIN-VV")
  let fittedResNet = try fit(resnet, name: "forced ResNet")

  // MARK: 3. Forecasts under fresh torques, and what the VIN learned

  /// The forecast of `steps` steps of `model` from `(q0, v0)` under `torques`.
  func forecast(
    _ model: some RolloutModel, from q0: Double, _ v0: Double, torques: [Double]
  ) throws -> Forecast {
    let result = try model.forecast(
      from: .coordinates(position: [q0], velocity: [v0]), inputs: torques.map { [$0] },
      steps: torques.count)
    guard case .coordinates(let forecast) = result else {
      throw LearningError.invalidConfiguration(
        name: "forecast", value: result.layout.stateDescription, requirement: "must be (q, q̇)")
    }
    return forecast
  }
  /// The mean over steps 1…100 of (q̂ − q)² + (q̂̇ − q̇)² for each test trajectory.
  func forecastErrors(_ model: some RolloutModel) throws -> [Double] {
    try tests.map { test in
      let prediction = try forecast(
        model, from: test.motion.q[0], test.motion.v[0], torques: test.torques)
      return (1...forecastSteps).reduce(0.0) { sum, k in
        let dq = prediction.positions[k][0] - test.motion.q[k]
        let dv = prediction.velocities[k][0] - test.motion.v[k]
        return sum + (dq * dq + dv * dv) / Double(forecastSteps)
      }
    }
  }
  func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return 0.5 * (sorted[(sorted.count - 1) / 2] + sorted[sorted.count / 2])
  }
  print(
    "\nForecasts of \(forecastSteps) steps from \(testCount) fresh starts under fresh torques "
      + "(mean over steps of (q̂ − q)² + (q̂̇ − q̇)²)")
  TextTable.printRow(
    TextTable.column("model", 16) + TextTable.column("mean", 12) + TextTable.column("median", 12))
  var meanErrors: [String: Double] = [:]
  for (name, errors) in [
    ("exact model", try forecastErrors(exact)), ("forced VIN-VV", try forecastErrors(fittedVIN)),
    ("forced ResNet", try forecastErrors(fittedResNet)),
  ] {
    meanErrors[name] = errors.reduce(0, +) / Double(errors.count)
    TextTable.printRow(
      TextTable.column(name, 16) + TextTable.column(String(format: "%.4g", meanErrors[name]!), 12)
        + String(format: "%.4g", median(errors)))
  }
  print(
    String(
      format: "forced VIN-VV / forced ResNet = %.3g (mean)",
      meanErrors["forced VIN-VV"]! / meanErrors["forced ResNet"]!))

  // Only ratios are identifiable: λL_θ with λB̂ and λD̂ moves exactly as L_θ. Divided by the
  // learned mass M̂, the damping, the input gain and the height of the learned potential's
  // barrier are in the true units (per unit m l²).
  let learnedMass = fittedVIN.mass.entries()[0]
  let learnedDamping = fittedVIN.forces.dissipation()[0] / learnedMass
  let learnedGain = fittedVIN.forces.inputMatrix()[0] / learnedMass
  let potential = fittedVIN.potential
  let barrier = (potential.energy(at: [.pi]) - potential.energy(at: [0])) / learnedMass
  print(
    "\nWhat the forced VIN-VV learned, per unit of its mass M̂ = \(String(format: "%.4g", learnedMass))"
  )
  TextTable.printRow(
    TextTable.column("quantity", 30) + TextTable.column("learned", 10) + TextTable.column("true", 8)
      + "learned / true")
  for (name, value, exact) in [
    ("damping D̂/M̂ (N m s)", learnedDamping, damping), ("input gain B̂/M̂", learnedGain, 1.0),
    ("barrier (V̂(π) − V̂(0))/M̂ (J)", barrier, 2 * gravityTorque),
  ] {
    TextTable.printRow(
      TextTable.column(name, 30) + TextTable.column(String(format: "%.4g", value), 10)
        + TextTable.column(String(format: "%.4g", exact), 8) + String(format: "%.4f", value / exact)
    )
  }

  // The damping each model forecasts: a free swing from rest at 2.5 rad with no torque, 30 s.
  // For small swings the energy above the bottom decays as e^(−(b/ml²) t), so the least-squares
  // slope of its logarithm over 10–30 s estimates b/ml² from any forecast, a network's too.
  let decaySteps = 300
  let noTorque = Array(repeating: 0.0, count: decaySteps)
  let decayTimes = (0...decaySteps).map { Double($0) * stepSize }
  func trueEnergyAboveBottom(_ q: Double, _ v: Double) -> Double {
    truth.energy(angle: q, velocity: v) + gravityTorque
  }
  let freeSwing = try truth.trajectory(from: 2.5, 0, torques: noTorque)
  var freeDecays = [
    (
      name: "truth (b = \(damping))",
      energies: zip(freeSwing.q, freeSwing.v).map(trueEnergyAboveBottom)
    )
  ]
  for (name, model) in [("VIN-VV", fittedVIN as any RolloutModel), ("ResNet", fittedResNet)] {
    let prediction = try forecast(model, from: 2.5, 0, torques: noTorque)
    freeDecays.append(
      (
        name,
        zip(prediction.positions, prediction.velocities).map {
          max(trueEnergyAboveBottom($0[0], $1[0]), 1e-12)
        }
      ))
  }
  /// The least-squares slope of −ln E over t ∈ [10, 30] s.
  func decayRate(_ energies: [Double]) -> Double {
    let points = Int((10 / stepSize).rounded())...decaySteps
    let (t, y) = (points.map { decayTimes[$0] }, points.map { -log(energies[$0]) })
    let (tMean, yMean) = (t.reduce(0, +) / Double(t.count), y.reduce(0, +) / Double(y.count))
    let covariance = zip(t, y).reduce(0.0) { $0 + ($1.0 - tMean) * ($1.1 - yMean) }
    return covariance / t.reduce(0.0) { $0 + ($1 - tMean) * ($1 - tMean) }
  }
  print(
    "\nDamping in forecasts: decay rate of the true energy over 10–30 s of a free swing from 2.5 rad "
      + "at rest (≈ b/ml² = \(damping) for small swings)")
  for decay in freeDecays {
    TextTable.printRow(
      TextTable.column(decay.name, 16) + String(format: "%.4f", decayRate(decay.energies)))
  }

  // MARK: 4. Swing-up of the true pendulum

  // The torque is limited to |u| ≤ 2 N m, a fifth of the largest gravity torque m g l: held
  // constant from rest at the bottom it lifts the pendulum to 2 asin(2/(m g l)) = 0.41 rad at
  // most (less with damping). To reach the upright a controller must pump energy in swing by swing.
  let maximumTorque = 2.0
  let lift = try SwingUpRun(
    of: &truth, under: ConstantTorque(value: maximumTorque), from: 0, duration: 10,
    stepSize: stepSize)
  print(
    "\nThe torque limit |u| ≤ \(maximumTorque) N m, held constant from rest at the bottom for 10 s:"
  )
  TextTable.printRow(
    TextTable.column("largest angle (rad)", 21)
      + TextTable.column(TextTable.fixed(lift.angles.map(abs).max() ?? .nan, 3), 7)
      + "without damping: 2 asin(u/mgl) = "
      + TextTable.fixed(2 * asin(maximumTorque / gravityTorque), 3))

  // The controllers, each from one model:
  // - energy shaping, u = (k (E* − E_θ) + D̂) q̇ / B̂ with k = 1 (EnergyShaping.swift), from the
  //   exact model and from the VIN. The ResNet has no energy E_θ, so there is no such controller
  //   for it: the law cannot be written without the energy the model does not have;
  // - receding-horizon prediction over 243 torque plans of 2.1 s (PredictiveSwingUp.swift), from
  //   all three, since it needs only forecasts.
  // Each switches to its model's upright stabiliser (an LQR designed on the model's own
  // linearised step, UprightBalance.swift) within 0.3 rad of the upright; energy shaping also runs
  // alone, which tests the learned energy by itself. From rest at ten angles |q0| ∈ (0.05, 0.3)
  // (three in a quick run), 20 s each, a run succeeds when from some t ≤ 15 s to the end
  // - with the stabiliser: the pendulum stays within 0.2 rad of the upright;
  // - energy shaping alone: the true energy stays within 5 % of 2mgl (the energy from the bottom
  //   to the top) of the upright's, mgl (it cannot stay upright without the stabiliser).
  let (catchAngle, duration, holdTime) = (0.3, 20.0, 5.0)
  let startCount = isQuickRun ? 3 : 10
  var startGenerator = SeededGenerator(seed: 7)
  let starts = (0..<startCount).map { _ in
    let magnitude = 0.05 + 0.25 * startGenerator.nextUniform()
    return startGenerator.nextUniform() < 0.5 ? -magnitude : magnitude
  }
  func isUpright(_ q: Double, _ v: Double) -> Bool { abs(angleFromUpright(q)) <= 0.2 }
  func hasUprightEnergy(_ q: Double, _ v: Double) -> Bool {
    abs(truth.energy(angle: q, velocity: v) - gravityTorque) <= 0.05 * 2 * gravityTorque
  }
  /// A design: a controller and the success condition of its runs, or why there is none.
  typealias Design = (
    controller: SwingUpController?, succeeds: (Double, Double) -> Bool, note: String
  )
  /// `swingUp` with the upright stabiliser of `model` (`balanced`) or alone.
  func design(
    _ swingUp: () throws -> some FeedbackLaw, model: some RolloutModel, balanced: Bool = true
  ) -> Design {
    do {
      let law = try swingUp()
      let balance = balanced ? try UprightBalance(model: model) : nil
      let controller = SwingUpController(
        swingUp: law, balance: balance, catchAngle: catchAngle, maximumTorque: maximumTorque)
      let note =
        balanced && balance == nil ? "no stabiliser: the model's Riccati recursion diverges" : ""
      return (controller, balanced ? isUpright : hasUprightEnergy, note)
    } catch {
      return (nil, isUpright, "none: \(error)")
    }
  }
  let designs: [(name: String, design: Design)] = [
    (
      "energy shaping alone, exact model",
      design({ try EnergyShaping(model: exact, gain: 1) }, model: exact, balanced: false)
    ),
    (
      "energy shaping alone, VIN-VV",
      design({ try EnergyShaping(model: fittedVIN, gain: 1) }, model: fittedVIN, balanced: false)
    ),
    (
      "energy shaping, exact model",
      design({ try EnergyShaping(model: exact, gain: 1) }, model: exact)
    ),
    (
      "energy shaping, VIN-VV",
      design({ try EnergyShaping(model: fittedVIN, gain: 1) }, model: fittedVIN)
    ),
    ("energy shaping, ResNet", (nil, isUpright, "none: the model has no energy to shape")),
    (
      "prediction, exact model",
      design({ PredictiveSwingUp(model: exact, maximumTorque: maximumTorque) }, model: exact)
    ),
    (
      "prediction, VIN-VV",
      design(
        { PredictiveSwingUp(model: fittedVIN, maximumTorque: maximumTorque) }, model: fittedVIN)
    ),
    (
      "prediction, ResNet",
      isQuickRun
        ? (nil, isUpright, "skipped in a quick run")
        : design(
          { PredictiveSwingUp(model: fittedResNet, maximumTorque: maximumTorque) },
          model: fittedResNet)
    ),
  ]
  print(
    "\nSwing-up of the true pendulum from rest at \(startCount) angles |q0| ∈ (0.05, 0.3) rad, "
      + "|u| ≤ \(maximumTorque) N m, \(Int(duration)) s. Success, from some t ≤ "
      + "\(Int(duration - holdTime)) s to the end: within 0.2 rad of the upright; for energy "
      + "shaping alone, the true energy within 5 % of 2mgl of the upright's")
  TextTable.printRow(
    TextTable.column("controller", 35) + TextTable.column("successes", 11)
      + TextTable.column("mean time of success (s)", 26) + "run time (s)")
  var runs: [String: [SwingUpRun]] = [:]
  for (name, (controller, succeeds, note)) in designs {
    guard let controller else {
      TextTable.printRow(TextTable.column(name, 35) + note)
      continue
    }
    let controlStart = clock.now
    runs[name] = try starts.map { q0 in
      try SwingUpRun(
        of: &truth, under: controller, from: q0, duration: duration, stepSize: stepSize)
    }
    let times = runs[name]!.compactMap { $0.settlingTime(succeeds) }.filter {
      $0 <= duration - holdTime
    }
    TextTable.printRow(
      TextTable.column(name, 35) + TextTable.column("\(times.count)/\(startCount)", 11)
        + TextTable.column(
          times.isEmpty ? "–" : TextTable.fixed(times.reduce(0, +) / Double(times.count), 1), 26)
        + TextTable.column(TextTable.fixed(seconds(since: controlStart), 1), 14) + note)
  }

  // MARK: 5. The figure

  // (a), (b): the angle from the bottom, |q| wrapped to [0, π] (π is the upright), under each
  // controller from the first start (and under the VIN's energy shaping alone, which reaches the
  // upright's energy but cannot stay at the top). (c) The learned energy against the true energy along the
  // VIN's energy-shaping swing-up, each measured from rest at the bottom and the learned one
  // divided by M̂. (d) Damping: the true energy (above the bottom) along the free swing and along
  // each model's forecast of it; its slope on the logarithmic scale is the decay rate above.
  func angleSeries(_ name: String, label: String? = nil, color: Int, dashed: Bool = false)
    -> Series?
  {
    guard let run = runs[name]?.first else { return nil }
    return Series(
      name: label ?? name.components(separatedBy: ", ").last ?? name, x: run.times,
      y: run.angles.map { abs(remainder($0, 2 * .pi)) }, color: Palette.color(color),
      isDashed: dashed)
  }
  var energyPanel: [Series] = []
  if let run = runs["energy shaping, VIN-VV"]?.first {
    let bottom = potential.energy(at: [0])
    energyPanel = [
      Series(
        name: "true", x: run.times, y: zip(run.angles, run.velocities).map(trueEnergyAboveBottom),
        color: "#333333", isDashed: true),
      Series(
        name: "learned (VIN-VV) / M̂", x: run.times,
        y: zip(run.angles, run.velocities).map {
          (0.5 * learnedMass * $1 * $1 + potential.energy(at: [$0]) - bottom) / learnedMass
        }, color: Palette.color(1)),
      Series(
        name: "upright", x: [0, duration], y: [2 * gravityTorque, 2 * gravityTorque],
        color: "#999999", isDashed: true),
    ]
  }
  let dampingPanel = freeDecays.enumerated().map { index, decay in
    Series(
      name: decay.name, x: decayTimes, y: decay.energies,
      color: index == 0 ? "#333333" : Palette.color(index), isDashed: index == 0)
  }
  let figure = Figure(
    title: "Learning a damped, driven pendulum and swinging it up",
    subtitle: """
      \(trainingCount) trajectories × \(samples) samples, h = \(stepSize) s, σ = \(noise), b = \
      \(damping), random torques known; |u| ≤ \(maximumTorque) N m; q0 = \
      \(TextTable.fixed(starts[0], 3)) rad at rest
      """,
    panels: [
      Panel(
        title: "Swing-up by energy shaping (none for the ResNet: it has no energy)",
        xLabel: "time t (s)", yLabel: "angle from the bottom (rad)",
        series: [
          angleSeries("energy shaping, exact model", color: 0, dashed: true),
          angleSeries("energy shaping, VIN-VV", color: 1),
          angleSeries("energy shaping alone, VIN-VV", label: "VIN-VV, no stabiliser", color: 3),
        ].compactMap { $0 }),
      Panel(
        title: "Swing-up by receding-horizon prediction", xLabel: "time t (s)",
        yLabel: "angle from the bottom (rad)",
        series: [
          angleSeries("prediction, exact model", color: 0, dashed: true),
          angleSeries("prediction, VIN-VV", color: 1), angleSeries("prediction, ResNet", color: 2),
        ].compactMap { $0 }),
      Panel(
        title: "Energy above the bottom along the VIN's energy-shaping swing-up",
        xLabel: "time t (s)", yLabel: "E − E(bottom) (J)", series: energyPanel),
      Panel(
        title: "Damping: free decay (u = 0) from 2.5 rad, true energy along each forecast",
        xLabel: "time t (s)", yLabel: "E − E(bottom) (J)", yScale: .logarithmic,
        series: dampingPanel),
    ], panelHeight: 260)
  let path = CommandLine.arguments.dropFirst().first ?? "learn-and-control.svg"
  try AtomicFile.write(figure.svg(), to: path)
  print("\nwrote \(path) (\(TextTable.fixed(seconds(since: start), 1)) s in all)")
} catch {
  FileHandle.standardError.write(Data("LearnAndControl: \(error)\n".utf8))
  exit(1)
}
