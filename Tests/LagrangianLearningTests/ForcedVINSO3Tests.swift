import DiscreteMechanics
import Foundation
import Manifolds
import Testing
import _Differentiation

@testable import LagrangianLearning

/// VIN-SO(3) with a learned body torque `τ = B u − D Ω` (the forced LGVI on the learned body).
@Suite("Forced VIN-SO(3): gradients, the forced SO3LGVI's arithmetic, learning J, B and D")
struct ForcedVINSO3Tests {
  /// B (3×2) and L's lower triangle of `D = LLᵀ` (generic, D positive definite).
  static let forceParameters = [0.6, -0.3, 0.2, 0.9, -0.4, 0.5] + [0.5, 0.1, 0.4, -0.2, 0.15, 0.3]

  static func forces() throws -> ConstantForce {
    try ConstantForce(
      dimension: 3, inputCount: 2, dissipation: true, parameters: forceParameters)
  }

  /// A forced VIN-SO(3) with a generic inertia, the gravity potential and the torque above.
  static func gravityCase() throws -> VINSO3<RigidBodyGravityPotential, ConstantForce> {
    try VINSO3(
      potential: RigidBodyGravityPotential(c: Vector3(0.3, -0.2, 0.5)),
      mass: RigidBodyInertia(factor: VINSO3Tests.inertia), forces: forces(), stepSize: 0.05)
  }

  /// The same with a network potential.
  static func networkCase() throws -> VINSO3<RigidBodyMLPPotential, ConstantForce> {
    let conservative = try VINSO3Tests.networkCase().model
    return try VINSO3(
      potential: conservative.potential, mass: conservative.mass, forces: forces(),
      stepSize: 0.05)
  }

  static let steps = 12

  /// Two windows' inputs `u_0…u_{K−1}` (2 each), back to back.
  static let inputs: [Double] = {
    var generator = SeededGenerator(seed: 11)
    return (0..<(2 * steps * 2)).map { _ in generator.nextStandardNormal() }
  }()

  static func loss<Potential, Forces>(
    _ model: VINSO3<Potential, Forces>, _ initial: [Double]
  ) -> Double {
    probeLoss(
      model.rollout(
        from: initial, inputs: inputs, steps: steps, workspace: RolloutWorkspace()))
  }

  @Test(
    "the gradients of J, U's parameters, B, D and the starts match central differences",
    arguments: [false, true])
  func gradients(network: Bool) throws {
    if network {
      try Self.checkGradients(Self.networkCase(), network: true)
    } else {
      try Self.checkGradients(Self.gravityCase(), network: false)
    }
  }

  static func checkGradients<Potential, Forces>(
    _ model: VINSO3<Potential, Forces>, network: Bool
  ) throws {
    let initial = VINSO3Tests.initialRows
    let (parameterBar, bar) = gradient(at: model, initial) { Self.loss($0, $1) }
    let analyticParameters = model.flatten(parameterBar)
    let numericParameters = centralDifference(model.flatParameters, epsilon: 1e-6) { p in
      var perturbed = model
      perturbed.flatParameters = p
      return Self.loss(perturbed, initial)
    }
    // The starts: R₀ in exponential coordinates, d/dδ ℓ(R exp(δ̂)) = ax(RᵀR̄), and Ω₀.
    var analyticStarts: [Double] = []
    var numericStarts: [Double] = []
    for b in 0..<2 {
      let o = 12 * b
      let r = Matrix3(entries: Array(initial[o..<(o + 9)]))
      let rBar = Matrix3(entries: Array(bar.base[o..<(o + 9)]))
      analyticStarts += axial(r.transpose * rBar).components + Array(bar.base[(o + 9)..<(o + 12)])
      numericStarts += centralDifference(Array(repeating: 0.0, count: 6), epsilon: 1e-6) { d in
        var x = initial
        let perturbed = r * SO3.exp(Vector3(d[0], d[1], d[2])).matrix
        for i in 0..<9 { x[o + i] = perturbed.entries[i] }
        for i in 0..<3 { x[o + 9 + i] += d[3 + i] }
        return Self.loss(model, x)
      }
    }
    let forceCount = model.forces.parameterCount
    let forceError = relativeError(
      Array(analyticParameters.suffix(forceCount)), Array(numericParameters.suffix(forceCount)))
    let parameterError = relativeError(analyticParameters, numericParameters)
    let startError = relativeError(analyticStarts, numericStarts)
    print(
      "forced VIN-SO(3) gradient relative errors (network: \(network)): parameters \(parameterError), B and L \(forceError), starts \(startError)"
    )
    #expect(parameterError < 1e-6)
    #expect(forceError < 1e-6)
    #expect(startError < 1e-6)
  }

  @Test(
    "the batched forced rollout and the forecast are the forced SO3LGVI with BodyActuatorsAndDamping, bit for bit"
  )
  func rolloutIsForcedLGVI() throws {
    let model = try Self.gravityCase()
    let b = try Matrix(rows: 3, columns: 2, storage: model.forces.inputMatrix())
    let d = Matrix3(entries: model.forces.dissipation())
    let initial = SO3RolloutTests.initialRows
    let windows = initial.count / 12
    let steps = 30
    var generator = SeededGenerator(seed: 12)
    let inputs = (0..<(windows * steps * 2)).map { _ in generator.nextStandardNormal() }
    let output = model.rollout(
      from: initial, inputs: inputs, steps: steps, workspace: RolloutWorkspace())
    for w in 0..<windows {
      let row = Array(initial[(12 * w)..<(12 * w + 12)])
      let body = model.body
      var integrator = try SO3LGVI(
        system: body, stepSize: 0.05,
        forces: BodyActuatorsAndDamping(inputMatrix: b, dissipation: d))
      var state = RigidBodyState(
        attitude: SO3(uncheckedMatrix: Matrix3(entries: row)),
        angularMomentum: body.inertia * Vector3(row[9], row[10], row[11]))
      var expected = state.attitude.matrix.entries + body.angularVelocity(of: state).components
      var stepInputs: [[Double]] = []
      for k in 0..<steps {
        let u = Array(inputs[((w * steps + k) * 2)..<((w * steps + k) * 2 + 2)])
        stepInputs.append(u)
        try integrator.holdInput(u)
        try integrator.step(&state)
        expected += state.attitude.matrix.entries + body.angularVelocity(of: state).components
      }
      let size = 12 * (steps + 1)
      #expect(Array(output[(w * size)..<((w + 1) * size)]) == expected, "window \(w)")
      let result = try model.forecast(
        from: .rigidBody(
          attitude: SO3(uncheckedMatrix: Matrix3(entries: row)),
          angularVelocity: Vector3(row[9], row[10], row[11])),
        inputs: stepInputs, steps: steps)
      guard case .rigidBody(let forecast) = result else {
        Issue.record("the forecast is not on SO(3)")
        return
      }
      let forecastRows = zip(forecast.attitudes, forecast.angularVelocities).flatMap {
        $0.matrix.entries + $1.components
      }
      #expect(forecastRows == expected, "forecast \(w)")
    }
  }

  @Test("with B = 0 and D = 0 the forced rollout is the conservative one, bit for bit")
  func vanishingTorqueIsConservative() throws {
    let conservative = try VINSO3Tests.genericCase().model
    let zero = try ConstantForce(dimension: 3, inputCount: 2, dissipation: false)
    let forced = try VINSO3(
      potential: conservative.potential, mass: conservative.mass, forces: zero,
      stepSize: conservative.stepSize)
    #expect(forced.torque != nil)
    let initial = SO3RolloutTests.initialRows
    let inputs = (0..<(5 * 20 * 2)).map { Double($0 % 7) - 3 }
    #expect(
      forced.rollout(from: initial, inputs: inputs, steps: 20, workspace: RolloutWorkspace())
        == conservative.rollout(from: initial, steps: 20))
  }

  @Test("save and load through ModelFile: the forces are recorded and forecast the same numbers")
  func modelFileRoundTrip() throws {
    let model = try Self.gravityCase()
    let file = try ModelFile(model: model)
    #expect(file.specification.forces == ForceSpecification(inputs: 2, dissipation: .constant))
    #expect(file.parameters.forces == Self.forceParameters)
    let loaded = try ModelFile(json: file.encoded()).model()
    #expect(loaded.kind == .vinSO3)
    #expect(loaded.inputCount == 2)
    #expect(loaded.flatParameters == model.flatParameters)
    let start = MechanicalState.rigidBody(
      attitude: SO3.exp(Vector3(0.2, -0.1, 0.4)), angularVelocity: Vector3(0.3, -0.6, 0.9))
    let inputs = (0..<20).map { k in [sin(Double(k)), cos(0.5 * Double(k))] }
    let expected = try model.forecast(from: start, inputs: inputs, steps: 20)
    #expect(try loaded.forecast(from: start, inputs: inputs, steps: 20) == expected)
    #expect(
      try model.forecast(from: start, inputs: inputs, steps: 20)
        != model.forecast(from: start, steps: 20))
  }

  /// Noiseless trajectories of the free body `J = diag(1, 2, 3)` driven through `B` by inputs
  /// held over 0.5 s (standard normal) and damped by `D`, by the forced `SO3LGVI` at h.
  static func drivenFreeBody(
    inputMatrix b: Matrix, dissipation d: Matrix3, stepSize h: Double, samples: Int
  ) throws -> [ObservedTrajectory] {
    let body = try FreeRigidBody()
    let torque = try BodyActuatorsAndDamping(inputMatrix: b, dissipation: d)
    let starts = [
      (Vector3(0.1, 0.2, -0.3), Vector3(0.9, -0.4, 0.6)),
      (Vector3(-0.5, 0.3, 0.8), Vector3(-0.3, 1.0, 0.5)),
      (Vector3(0.7, -0.6, 0.1), Vector3(0.5, 0.6, -0.8)),
    ]
    var generator = SeededGenerator(seed: 21)
    let hold = Int((0.5 / h).rounded())
    return try starts.map { xi, w in
      var integrator = try SO3LGVI(system: body, stepSize: h, forces: torque)
      var state = try body.state(rotationVector: xi, angularVelocity: w)
      var attitudes = [state.attitude]
      var angularVelocities = [body.angularVelocity(of: state)]
      var inputs: [[Double]] = []
      var u: [Double] = []
      for k in 0..<samples {
        if k % hold == 0 { u = (0..<b.columns).map { _ in generator.nextStandardNormal() } }
        inputs.append(u)
        guard k < samples - 1 else { break }
        try integrator.holdInput(u)
        try integrator.step(&state)
        attitudes.append(state.attitude)
        angularVelocities.append(body.angularVelocity(of: state))
      }
      return try ObservedTrajectory(
        times: (0..<samples).map { Double($0) * h }, attitudes: attitudes,
        angularVelocities: angularVelocities
      ).withInputs(inputs)
    }
  }

  @Test(
    "noiseless torque-driven damped free body: inertia ratios and input matrix within 2 %, damping within 5 %"
  )
  func learnsInertiaAndInputMatrix() throws {
    let h = 0.1
    let trueB = try Matrix(rows: 3, columns: 2, storage: [1, 0.3, -0.5, 0.8, 0.2, 1.2])
    let trueD = Matrix3(diagonal: Vector3(0.1, 0.15, 0.2))
    let data = try Self.drivenFreeBody(
      inputMatrix: trueB, dissipation: trueD, stepSize: h, samples: 25)
    var config = TrainingConfiguration()
    config.horizon = 8
    config.iterations = 600
    config.batchSize = 8
    config.learningRate = 0.03
    config.learningRateSchedule = .cosine
    config.loss = .meanSquaredError
    config.initialStates = .firstObservation
    let model = try VINSO3(
      potential: RigidBodyGravityPotential(),
      forces: ConstantForce(dimension: 3, inputCount: 2, dissipation: true), stepSize: h)
    let result = try Trainer(configuration: config).train(model, on: data)
    let fitted = result.model
    let j = fitted.inertia
    let ratios = [j[1, 1] / j[0, 0], j[2, 2] / j[0, 0]]
    let offDiagonal = max(abs(j[0, 1]), abs(j[0, 2]), abs(j[1, 2])) / j[0, 0]
    let inputMatrix = fitted.forces.inputMatrix().map { $0 / j[0, 0] }
    let dissipation = fitted.forces.dissipation().map { $0 / j[0, 0] }
    let inputError = relativeError(inputMatrix, trueB.storage)
    let dissipationError = relativeError(dissipation, trueD.entries)
    print(
      "forced VIN-SO(3) driven free body: J2/J1 = \(ratios[0]), J3/J1 = \(ratios[1]), off-diagonal \(offDiagonal), B/J1 error \(inputError), D/J1 error \(dissipationError), loss \(result.summary.bestLoss)"
    )
    #expect(abs(ratios[0] / 2 - 1) < 0.02)
    #expect(abs(ratios[1] / 3 - 1) < 0.02)
    #expect(offDiagonal < 0.02)
    #expect(inputError < 0.02)
    #expect(dissipationError < 0.05)
  }
}
