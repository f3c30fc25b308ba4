import DiscreteMechanics
import Foundation
import Manifolds
import Testing
import _Differentiation

@testable import LagrangianLearning

/// A force `F = B(q)u − D(q)q̇` given by two functions of q, with the protocol's
/// central-difference Jacobian: the learned forces as DiscreteMechanics sees them, written
/// independently of the library's bridge, and the true forces of the recovery test.
struct FunctionForce: GeneralisedForce {
  let dimension: Int
  let inputCount: Int
  let inputMatrix: @Sendable ([Double]) -> [Double]
  let dissipationMatrix: @Sendable ([Double]) -> [Double]

  func inputForce(at q: [Double], input u: [Double], into force: inout [Double]) {
    let b = inputMatrix(q)
    for i in 0..<dimension {
      var sum = 0.0
      for j in 0..<inputCount { sum += b[i * inputCount + j] * u[j] }
      force[i] = sum
    }
  }

  func dissipation(at q: [Double], into matrix: inout Matrix) {
    matrix = Matrix.zeros(rows: dimension, columns: dimension)
    matrix.storage = dissipationMatrix(q)
  }

  /// The learned forces' B(q) and D(q).
  static func learned(_ forces: some LearnableForce) -> FunctionForce {
    FunctionForce(
      dimension: forces.dimension, inputCount: forces.inputCount,
      inputMatrix: { forces.inputMatrix(at: $0) }, dissipationMatrix: { forces.dissipation(at: $0) }
    )
  }
}

/// Configuration-dependent learned forces (``ConfigurationForce``) in VIN-VV and VIN-mq.
@Suite("Configuration-dependent forces: derivatives, gradients, the forced integrators, recovery")
struct ConfigurationForceTests {
  /// Forces on R² with m = 2, B(q) and D(q) networks (or one of them constant), with random
  /// output layers so that both vary with q.
  static func forces(
    inputMatrix: ForceSpecification.InputMatrix = .configuration,
    dissipation: ForceSpecification.Dissipation = .configuration, angles: Bool, seed: UInt64
  ) throws -> ConfigurationForce {
    var generator = SeededGenerator(seed: seed)
    var forces = try ConfigurationForce(
      dimension: 2, inputCount: 2, inputMatrix: inputMatrix, dissipation: dissipation,
      architecture: NetworkArchitecture(width: 5, depth: 2),
      features: angles ? .angles : .coordinates,
      generator: &generator)
    forces.flatParameters = forces.flatParameters.map {
      $0 + generator.nextNormal(standardDeviation: 0.3)
    }
    return forces
  }

  @Test("∂B/∂q and ∂D/∂q, and the pullback in θ and q, match central differences")
  func derivatives() throws {
    for angles in [false, true] {
      let forces = try Self.forces(angles: angles, seed: 1)
      let q = [0.4, -0.7]
      let values = forces.values(at: q, derivatives: true)
      var numeric: [Double] = []
      var analytic: [Double] = []
      for k in 0..<2 {
        var (plus, minus) = (q, q)
        plus[k] += 1e-6
        minus[k] -= 1e-6
        let (up, down) = (
          forces.values(at: plus, derivatives: false), forces.values(at: minus, derivatives: false)
        )
        numeric += zip(up.inputMatrix, down.inputMatrix).map { ($0 - $1) / 2e-6 }
        numeric += zip(up.dissipation, down.dissipation).map { ($0 - $1) / 2e-6 }
        analytic += Array(values.inputMatrixDerivatives[(4 * k)..<(4 * k + 4)])
        analytic += Array(values.dissipationDerivatives[(4 * k)..<(4 * k + 4)])
      }
      #expect(relativeError(analytic, numeric) < 1e-8, "\(relativeError(analytic, numeric))")
      // ⟨B̄, B(q)⟩ + ⟨D̄, D(q)⟩ in θ and q.
      let (bBar, dBar) = ([0.3, -0.5, 0.8, 0.1], [0.7, -0.2, 0.4, 0.9])
      func pairing(_ forces: ConfigurationForce, _ q: [Double]) -> Double {
        let v = forces.values(at: q, derivatives: false)
        return zip(bBar, v.inputMatrix).map(*).reduce(0, +)
          + zip(dBar, v.dissipation).map(*).reduce(0, +)
      }
      var tangent = ConfigurationForce.TangentVector.zero
      var pointBar = [0.0, 0.0]
      let workspace = RolloutWorkspace()
      bBar.withUnsafeBufferPointer { b in
        dBar.withUnsafeBufferPointer { d in
          q.withUnsafeBufferPointer { point in
            pointBar.withUnsafeMutableBufferPointer { p in
              forces.accumulatePullback(
                at: point.baseAddress!, batch: 1, inputMatrixCotangents: b.baseAddress!,
                dissipationCotangents: d.baseAddress!, into: &tangent,
                pointCotangents: p.baseAddress!, workspace: workspace)
            }
          }
        }
      }
      let count = forces.parameterCount
      let gradient = forces.flatten(tangent) + pointBar
      let differences = centralDifference(forces.flatParameters + q) { x in
        var perturbed = forces
        perturbed.flatParameters = Array(x[..<count])
        return pairing(perturbed, Array(x[count...]))
      }
      #expect(relativeError(gradient, differences) < 1e-8)
    }
  }

  @Test("the library's GeneralisedForce has the central-difference Jacobian")
  func bridgeJacobian() throws {
    let forces = try Self.forces(angles: true, seed: 2)
    let (q, v, u) = ([0.3, 1.1], [0.5, -0.2], [0.7, -1.3])
    var analytic = Matrix.zeros(rows: 2, columns: 2)
    LearnedGeneralisedForce(forces).forceJacobian(at: q, velocity: v, input: u, into: &analytic)
    var numeric = Matrix.zeros(rows: 2, columns: 2)
    FunctionForce.learned(forces).forceJacobian(at: q, velocity: v, input: u, into: &numeric)
    #expect(relativeError(analytic.storage, numeric.storage) < 1e-8)
  }

  /// A VIN-VV on R² with an MLP potential, a constant mass and `forces`.
  static func verletModel<Forces: LearnableForce>(_ forces: Forces, seed: UInt64) throws
    -> VINVelocityVerlet<MLPPotential, ConstantMassMatrix, Forces>
  {
    var generator = SeededGenerator(seed: seed)
    var mass = ConstantMassMatrix(dimension: 2)
    mass.flatParameters = [0.3, 0.8, 0.2]
    return try VINVelocityVerlet(
      potential: MLPPotential(
        dimension: 2, width: 6, depth: 1, activation: .tanh, generator: &generator),
      mass: mass, forces: forces, stepSize: 0.1)
  }

  /// A VIN-mq on R² with a perturbed mass network and `forces`.
  static func midpointModel<Forces: LearnableForce>(_ forces: Forces, seed: UInt64) throws
    -> VINMq<MLPPotential, Forces>
  {
    var generator = SeededGenerator(seed: seed)
    let potential = try MLPPotential(
      dimension: 2, width: 8, depth: 1, activation: .tanh, generator: &generator)
    var mass = try ConfigurationMassMatrix(dimension: 2, width: 4, generator: &generator)
    for i in mass.parameters.indices {
      mass.parameters[i] += generator.nextNormal(standardDeviation: 0.3)
    }
    return try VINMq(potential: potential, mass: mass, forces: forces, stepSize: 0.05)
  }

  /// The relative error of the loss gradient (all parameters and the starts) against central
  /// differences, and that of the forces' part alone.
  static func gradientErrors<Model: PotentialMassModel>(
    _ model: Model, starts: [Double], inputs: [Double], steps: Int
  ) -> (all: Double, forces: Double) {
    func loss(_ model: Model, _ x0: [Double]) -> Double {
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
    let forces = (p - model.forces.parameterCount)..<p
    return (
      relativeError(analytic, numeric),
      relativeError(Array(analytic[forces]), Array(numeric[forces]))
    )
  }

  static func inputs(count: Int, seed: UInt64) -> [Double] {
    var generator = SeededGenerator(seed: seed)
    return (0..<count).map { _ in generator.nextStandardNormal() }
  }

  @Test(
    "forced VIN-VV and VIN-mq with B(q), D(q): gradients match central differences",
    arguments: [
      (ForceSpecification.InputMatrix.configuration, ForceSpecification.Dissipation.configuration),
      (.constant, .configuration), (.configuration, .none),
    ])
  func gradients(
    inputMatrix: ForceSpecification.InputMatrix, dissipation: ForceSpecification.Dissipation
  ) throws {
    for angles in [false, true] {
      let forces = try Self.forces(
        inputMatrix: inputMatrix, dissipation: dissipation, angles: angles, seed: 3)
      let verlet = Self.gradientErrors(
        try Self.verletModel(forces, seed: 4), starts: [0.3, -0.2, 0.5, 0.1, -0.7, 0.4, -0.1, 0.6],
        inputs: Self.inputs(count: 2 * 6 * 2, seed: 5), steps: 6)
      let midpoint = Self.gradientErrors(
        try Self.midpointModel(forces, seed: 6),
        starts: [0.3, -0.2, 0.32, -0.17, -0.7, 0.4, -0.68, 0.36],
        inputs: Self.inputs(count: 2 * 6 * 2, seed: 7), steps: 6)
      print(
        "B \(inputMatrix), D \(dissipation), angles \(angles): VIN-VV \(verlet), VIN-mq \(midpoint)"
      )
      #expect(verlet.all < 1e-6)
      #expect(verlet.forces < 1e-6)
      #expect(midpoint.all < 1e-6)
      #expect(midpoint.forces < 1e-6)
    }
  }

  @Test("the forced VIN-VV rollout is forced StormerVerlet with the learned B(q), D(q)")
  func verletIsForcedStormerVerlet() throws {
    let forces = try Self.forces(angles: true, seed: 8)
    let model = try Self.verletModel(forces, seed: 9)
    let steps = 40
    let u = Self.inputs(count: 2 * steps, seed: 10)
    let (q0, v0) = ([0.3, -0.2], [0.5, 0.1])
    let rollout = model.rollout(
      from: q0 + v0, inputs: u, steps: steps, workspace: RolloutWorkspace())
    let evaluation = MassEvaluation(model.mass)
    var integrator = try StormerVerlet(
      system: LearnedSystem(potential: model.potential, mass: evaluation.mass), stepSize: 0.1,
      forces: FunctionForce.learned(forces))
    var state = PhaseState(q: q0, p: evaluation.mass * v0)
    var expected = state.q + evaluation.inverse * state.p
    for k in 0..<steps {
      try integrator.holdInput(Array(u[(2 * k)..<(2 * k + 2)]))
      try integrator.step(&state)
      expected += state.q + evaluation.inverse * state.p
    }
    // The forces matter, and vary with q: constant ones at q = 0 give another rollout.
    let frozen = try ConstantForce(
      dimension: 2, inputCount: 2, dissipation: false,
      parameters: forces.inputMatrix(at: [0, 0]))
    let constant = try Self.verletModel(frozen, seed: 9).rollout(
      from: q0 + v0, inputs: u, steps: steps, workspace: RolloutWorkspace())
    #expect(relativeError(rollout, expected) < 1e-13, "\(relativeError(rollout, expected))")
    #expect(relativeError(rollout, constant) > 1e-3)
  }

  @Test("the forced VIN-mq rollout is the forced VariationalMidpoint with the learned B(q), D(q)")
  func midpointIsForcedVariationalMidpoint() throws {
    let forces = try Self.forces(angles: false, seed: 11)
    let model = try Self.midpointModel(forces, seed: 12)
    let steps = 40
    let u = Self.inputs(count: 2 * steps, seed: 13)
    let (q0, q1) = ([0.3, -0.2], [0.33, -0.18])
    let rollout = model.rollout(
      from: q0 + q1, inputs: u, steps: steps, workspace: RolloutWorkspace())
    let held = (0..<steps).map { Array(u[(2 * $0)..<(2 * $0 + 2)]) }
    // From (q₀, q₁): p₁ = D₂L_d(q₀, q₁) + f_d⁺ under u₀, then the integrator.
    let reference = FunctionForce.learned(forces)
    var lagrangian = try MidpointDiscreteLagrangian(system: model.system, stepSize: 0.05)
    var integrator = try VariationalMidpoint(
      system: model.system, stepSize: 0.05, forces: reference)
    try integrator.holdInput(held[0])
    var p1 = [0.0, 0.0]
    lagrangian.momentumAtEnd(from: q0, to: q1, into: &p1)
    let discrete = try integrator.discreteForces(
      from: PhaseState(q: q0, p: p1), to: PhaseState(q: q1, p: p1))
    var state = PhaseState(q: q1, p: zip(p1, discrete.end).map { $0 + $1 })
    var expected = q0 + q1
    for k in 1..<steps {
      try integrator.holdInput(held[k])
      try integrator.step(&state)
      expected += state.q
    }
    let error = zip(rollout, expected).map { abs($0 - $1) }.max() ?? .nan
    #expect(error < 1e-12, "\(error)")
    // The forecast (the library's GeneralisedForce) continues the same trajectory.
    let forecast = try model.forecast(
      position: [0.2, -0.4], velocity: [0.5, 0.3], inputs: held)
    let continued = model.rollout(
      from: forecast.positions[0] + forecast.positions[1], inputs: u, steps: steps,
      workspace: RolloutWorkspace())
    let gap = zip(continued, forecast.positions.flatMap { $0 }).map { abs($0 - $1) }.max() ?? .nan
    #expect(gap < 1e-12, "\(gap)")
  }

  @Test("with zero first-layer weights B(q) and D(q) are constant and the rollouts ConstantForce's")
  func constantNetworksAreConstantForce() throws {
    var forces = try Self.forces(angles: true, seed: 14)
    for shape in [forces.inputShape, forces.dampingShape].compactMap({ $0 }) {
      let first = shape.inputDimension * shape.width
      if shape.outputDimension == 4 {
        for i in 0..<first { forces.inputParameters.scalars[i] = 0 }
      } else {
        for i in 0..<first { forces.dampingParameters.scalars[i] = 0 }
      }
    }
    let b = forces.inputMatrix(at: [0.3, 0.1])
    let d = forces.dissipation(at: [0.3, 0.1])
    // L's entries: the Cholesky factor of D (lower, positive diagonal) up to the signs of the
    // columns, which D does not see.
    let l00 = d[0].squareRoot()
    let l10 = d[2] / l00
    let l11 = (d[3] - l10 * l10).squareRoot()
    let constant = try ConstantForce(
      dimension: 2, inputCount: 2, dissipation: true, parameters: b + [l00, l10, l11])
    #expect(relativeError(forces.dissipation(at: [-2, 1.5]), constant.dissipation()) < 1e-14)
    let starts = [0.3, -0.2, 0.5, 0.1]
    let u = Self.inputs(count: 2 * 30, seed: 15)
    for (learned, reference) in [
      (
        try Self.verletModel(forces, seed: 16).rollout(
          from: starts, inputs: u, steps: 30, workspace: RolloutWorkspace()),
        try Self.verletModel(constant, seed: 16).rollout(
          from: starts, inputs: u, steps: 30, workspace: RolloutWorkspace())
      ),
      (
        try Self.midpointModel(forces, seed: 17).rollout(
          from: [0.3, -0.2, 0.32, -0.17], inputs: u, steps: 30, workspace: RolloutWorkspace()),
        try Self.midpointModel(constant, seed: 17).rollout(
          from: [0.3, -0.2, 0.32, -0.17], inputs: u, steps: 30, workspace: RolloutWorkspace())
      ),
    ] {
      #expect(relativeError(learned, reference) < 1e-13, "\(relativeError(learned, reference))")
    }
  }

  /// The true forces of the recovery test: `D(q) = b₀(1 + ½ cos q)`, `B(q) = 1 + ½ sin q`.
  static let trueDamping: @Sendable ([Double]) -> [Double] = { [0.5 * (1 + 0.5 * cos($0[0]))] }
  static let trueGain: @Sendable ([Double]) -> [Double] = { [1 + 0.5 * sin($0[0])] }

  /// Noiseless trajectories (h = 0.05, 6 s each) of a pendulum with `V = 2(1 − cos q)`, M = 1,
  /// the damping and gain above, under torques held for 0.5 s (N(0, 1.5²)), simulated by
  /// DiscreteMechanics' forced StormerVerlet; fitted by a VIN-VV with a cosine potential, a
  /// constant mass and ``ConfigurationForce`` networks of `(cos q, sin q)` (width 8): the
  /// identifiable `D(q)/M` and `B(q)/M` against the truth at q = −1…1, where the data are.
  /// The truth varies there by 18 % (D) and a factor 2.5 (B), so that no constant model (the
  /// nearest constant misses by 8 % and 42 %) meets the 3 % asked of the learned functions
  /// (measured: 0.3 % and 0.6 %, and `V/M` to 0.02 %, in 1000 iterations).
  @Test("noiseless pendulum with D(q) = b₀(1 + ½cos q), B(q) = 1 + ½sin q: D/M and B/M within 3 %")
  func recoversDampingAndGainOfTheAngle() throws {
    let h = 0.05
    let truth = FunctionForce(
      dimension: 1, inputCount: 1, inputMatrix: Self.trueGain, dissipationMatrix: Self.trueDamping)
    var generator = SeededGenerator(seed: 21)
    var trajectories: [ObservedTrajectory] = []
    var span: [Double] = []
    for _ in 0..<4 {
      var integrator = try StormerVerlet(
        system: Pendulum(mass: 1, length: 1, gravity: 2), stepSize: h, forces: truth)
      var state = PhaseState(q: [generator.nextStandardNormal()], p: [0])
      var (positions, velocities, inputs) = ([state.q], [state.p], [[Double]]())
      for _ in 0..<12 {
        let u = 1.5 * generator.nextStandardNormal()
        for _ in 0..<10 {
          try integrator.holdInput([u])
          try integrator.step(&state)
          inputs.append([u])
          positions.append(state.q)
          velocities.append(state.p)
        }
      }
      span += positions.map { $0[0] }
      trajectories.append(
        try ObservedTrajectory(
          times: positions.indices.map { Double($0) * h }, positions: positions,
          velocities: velocities
        ).withInputs(inputs + [[0]]))
    }
    print("recovery data: q in [\(span.min() ?? .nan), \(span.max() ?? .nan)]")
    var forcesGenerator = SeededGenerator(seed: 22)
    let model = try VINVelocityVerlet(
      potential: CosinePotential(dimension: 1, amplitude: 1),
      mass: ConstantMassMatrix(dimension: 1),
      forces: ConfigurationForce(
        dimension: 1, inputCount: 1, inputMatrix: .configuration, dissipation: .configuration,
        architecture: NetworkArchitecture(width: 8, depth: 1), features: .angles,
        generator: &forcesGenerator),
      stepSize: h)
    var config = TrainingConfiguration()
    config.iterations = 1000
    config.batchSize = 32
    config.learningRate = 0.02
    config.learningRateSchedule = .cosine
    config.horizon = 5
    config.initialStates = .firstObservation
    config.loss = .meanSquaredError
    let fitted = try Trainer(configuration: config).train(model, on: trajectories).model
    let mass = MassEvaluation(fitted.mass).mass[0, 0]
    var worst = (damping: 0.0, gain: 0.0)
    let points = Array(stride(from: -1.0, through: 1.0, by: 0.25))
    // The nearest constant's worst relative error, (max − min)/(max + min): above 3 %.
    for truth in [Self.trueDamping, Self.trueGain] {
      let values = points.map { truth([$0])[0] }
      let (low, high) = (values.min() ?? 0, values.max() ?? 0)
      #expect((high - low) / (high + low) > 0.08)
    }
    for q in points {
      let damping = fitted.forces.dissipation(at: [q])[0] / mass
      let gain = fitted.forces.inputMatrix(at: [q])[0] / mass
      worst.damping = max(worst.damping, abs(damping / Self.trueDamping([q])[0] - 1))
      worst.gain = max(worst.gain, abs(gain / Self.trueGain([q])[0] - 1))
    }
    print(
      "learned V/M amplitude \(fitted.potential.amplitude / mass) (true 2); worst relative error on q ∈ [−1, 1]: D/M \(worst.damping), B/M \(worst.gain)"
    )
    #expect(abs(fitted.potential.amplitude / mass / 2 - 1) < 0.01)
    #expect(worst.damping < 0.03)
    #expect(worst.gain < 0.03)
  }
}
