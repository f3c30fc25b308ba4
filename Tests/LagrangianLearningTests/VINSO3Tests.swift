import DiscreteMechanics
import Foundation
import Manifolds
import Testing
import _Differentiation

@testable import LagrangianLearning

/// A user-defined SO(3) potential, `U = k e_zᵀRe_z = k R₃₃` (a heavy body with its centre of
/// mass on the body's third axis): `M(R) = (Rᵀe_z) × k e_z`, pullback `R̄ row 3 += k e_z × M̄`,
/// `k̄ += (M̄ × Rᵀe_z)₃`.
struct AxialGravityPotential: LearnableRigidBodyPotential {
  var k: Double

  var parameterCount: Int { 1 }
  var flatParameters: [Double] {
    get { [k] }
    set { k = newValue[0] }
  }
  func flatten(_ tangent: Self.TangentVector) -> [Double] { [tangent.k] }

  func energy(at attitude: Matrix3) -> Double { k * attitude[2, 2] }
  func moment(at attitude: Matrix3) -> Vector3 { attitude.row2.cross(Vector3(0, 0, k)) }
  func pullbackMoment(
    at attitude: Matrix3, cotangent mBar: Vector3, attitudeBar: inout Matrix3,
    parameterBar: inout Self.TangentVector
  ) {
    attitudeBar.row2 += Vector3(0, 0, k).cross(mBar)
    parameterBar.k += mBar.cross(attitude.row2)[2]
  }
}

@Suite("VIN-SO(3)")
struct VINSO3Tests {
  static let inertia = [1.1, 0.2, 1.3, -0.1, 0.15, 0.9]

  /// Two generic initial rows `(R₀, Ω₀)`.
  static var initialRows: [Double] {
    let rows = [
      (Vector3(0.3, -0.5, 0.7), Vector3(0.4, -1.1, 0.8)),
      (Vector3(-1.2, 0.4, 0.2), Vector3(-0.7, 0.3, 1.5)),
    ]
    return rows.flatMap { xi, w in SO3.exp(xi).matrix.entries + w.components }
  }

  /// A model with a generic inertia and the gravity potential, and the two initial rows.
  static func genericCase() throws -> (
    model: VINSO3<RigidBodyGravityPotential, NoForce>, initial: [Double]
  ) {
    (try VINSO3(stepSize: 0.05, parameters: [0.3, -0.2, 0.5] + inertia), initialRows)
  }

  /// The same with a network potential.
  static func networkCase() throws -> (
    model: VINSO3<RigidBodyMLPPotential, NoForce>, initial: [Double]
  ) {
    var generator = SeededGenerator(seed: 5)
    let shape = try NetworkShape(
      inputDimension: 9, width: 6, depth: 2, outputDimension: 1, activation: .tanh)
    var model = try VINSO3(
      stepSize: 0.05, network: MultilayerPerceptron(shape: shape, generator: &generator))
    model.mass = try RigidBodyInertia(factor: inertia)
    return (model, initialRows)
  }

  static let steps = 12

  static func loss<Potential>(_ model: VINSO3<Potential, NoForce>, _ initial: [Double]) -> Double {
    probeLoss(model.rollout(from: initial, steps: steps))
  }

  @Test("the rollout is SO3LGVI on the learned body")
  func rolloutIsLGVI() throws {
    let (model, initial) = try Self.genericCase()
    let output = model.rollout(from: initial, steps: Self.steps)
    let body = model.body
    var integrator = try SO3LGVI(system: body, stepSize: 0.05)
    var state = try body.state(
      attitude: SO3(
        validating: Matrix3(
          initial[0], initial[1], initial[2], initial[3], initial[4], initial[5], initial[6],
          initial[7], initial[8])),
      angularVelocity: Vector3(initial[9], initial[10], initial[11]))
    for _ in 0..<Self.steps { try integrator.step(&state) }
    let last = 12 * Self.steps
    let expected = state.attitude.matrix.entries + body.angularVelocity(of: state).components
    #expect(Array(output[last..<(last + 12)]) == expected)
  }

  @Test(
    "parameter gradient matches central differences (gravity, network potential)",
    arguments: [false, true])
  func parameterGradient(network: Bool) throws {
    if network {
      try Self.checkParameterGradient(Self.networkCase(), network: true)
    } else {
      try Self.checkParameterGradient(Self.genericCase(), network: false)
    }
  }

  @Test("the learned inertia is LLᵀ + εI and refuses a bad scale, ε or factor by name")
  func inertia() throws {
    let inertia = try RigidBodyInertia(epsilon: 1e-3, factor: Self.inertia)
    let f = Self.inertia
    let l = Matrix3(f[0], 0, 0, f[1], f[2], 0, f[3], f[4], f[5])
    let expected = l * l.transpose + 1e-3 * Matrix3.identity
    for a in 0..<3 {
      for b in 0..<3 { #expect(abs(inertia.matrix[a, b] - expected[a, b]) < 1e-15) }
    }
    #expect(try RigidBodyInertia(initialScale: 0.4).matrix[1, 1] == 0.4 + 1e-6)
    #expect(
      throws: LearningError.invalidConfiguration(
        name: "initial inertia scale", value: "-1.0", requirement: "must be positive and finite")
    ) { try RigidBodyInertia(initialScale: -1) }
    #expect(
      throws: LearningError.invalidConfiguration(
        name: "epsilon", value: "nan", requirement: "must be positive and finite")
    ) { try RigidBodyInertia(epsilon: .nan) }
    #expect(
      throws: LearningError.dimensionMismatch(
        name: "so3-inertia parameters", expected: 6, actual: 5)
    ) { try RigidBodyInertia(factor: [1, 0, 1, 0, 0]) }
    #expect(
      throws: LearningError.invalidConfiguration(
        name: "so3-inertia parameters[2]", value: "inf", requirement: "must be finite")
    ) { try RigidBodyInertia(factor: [1, 0, .infinity, 0, 0, 1]) }
  }

  @Test("a user-defined SO(3) potential: the parameter and initial-state gradients match")
  func userDefinedPotential() throws {
    let model = try VINSO3(
      potential: AxialGravityPotential(k: -0.8), mass: RigidBodyInertia(factor: Self.inertia),
      stepSize: 0.05)
    #expect(model.parameterCount == 7)
    try Self.checkParameterGradient((model, Self.initialRows), network: false)
    try Self.checkInitialStateGradient((model, Self.initialRows), network: false)
  }

  static func checkParameterGradient<Potential>(
    _ testCase: (model: VINSO3<Potential, NoForce>, initial: [Double]), network: Bool
  ) throws {
    let (model, initial) = testCase
    let gradient = model.flatten(gradient(at: model) { Self.loss($0, initial) })
    let numerical = centralDifference(model.flatParameters, epsilon: 1e-6) { p in
      var perturbed = model
      perturbed.flatParameters = p
      return Self.loss(perturbed, initial)
    }
    let error = relativeError(gradient, numerical)
    print("VIN-SO(3) parameter gradient relative error \(error) (network: \(network))")
    #expect(error < 1e-6)
  }

  @Test(
    "initial-state gradient matches central differences (R in exp coordinates)",
    arguments: [false, true])
  func initialStateGradient(network: Bool) throws {
    if network {
      try Self.checkInitialStateGradient(Self.networkCase(), network: true)
    } else {
      try Self.checkInitialStateGradient(Self.genericCase(), network: false)
    }
  }

  static func checkInitialStateGradient<Potential>(
    _ testCase: (model: VINSO3<Potential, NoForce>, initial: [Double]), network: Bool
  ) throws {
    let (model, initial) = testCase
    let bar = gradient(at: initial) { Self.loss(model, $0) }.base
    var analytic: [Double] = []
    var numerical: [Double] = []
    for b in 0..<2 {
      let o = 12 * b
      let r = Matrix3(
        initial[o], initial[o + 1], initial[o + 2], initial[o + 3], initial[o + 4],
        initial[o + 5], initial[o + 6], initial[o + 7], initial[o + 8])
      let rBar = Matrix3(
        bar[o], bar[o + 1], bar[o + 2], bar[o + 3], bar[o + 4], bar[o + 5], bar[o + 6],
        bar[o + 7], bar[o + 8])
      // d/dδ ℓ(R exp(δ̂)) at 0 is ax(RᵀR̄).
      analytic += axial(r.transpose * rBar).components + Array(bar[(o + 9)..<(o + 12)])
      numerical += centralDifference(Array(repeating: 0.0, count: 6), epsilon: 1e-6) { d in
        var x = initial
        let perturbed = r * SO3.exp(Vector3(d[0], d[1], d[2])).matrix
        for i in 0..<9 { x[o + i] = perturbed.entries[i] }
        for i in 0..<3 { x[o + 9 + i] += d[3 + i] }
        return Self.loss(model, x)
      }
    }
    let error = relativeError(analytic, numerical)
    print("VIN-SO(3) initial-state gradient relative error \(error) (network: \(network))")
    #expect(error < 1e-6)
  }

  /// Noiseless free-body trajectories (J = diag(1, 2, 3)) by `SO3LGVI`.
  static func freeBodyData(stepSize h: Double, samples: Int) throws -> [ObservedTrajectory] {
    let body = try FreeRigidBody()
    let starts = [
      (Vector3(0.1, 0.2, -0.3), Vector3(0.9, -0.4, 0.6)),
      (Vector3(-0.5, 0.3, 0.8), Vector3(-0.3, 1.0, 0.5)),
      (Vector3(0.7, -0.6, 0.1), Vector3(0.5, 0.6, -0.8)),
    ]
    return try starts.map { xi, w in
      var integrator = try SO3LGVI(system: body, stepSize: h)
      var state = try body.state(rotationVector: xi, angularVelocity: w)
      var attitudes: [SO3] = []
      var angularVelocities: [Vector3] = []
      for k in 0..<samples {
        if k > 0 { try integrator.step(&state) }
        attitudes.append(state.attitude)
        angularVelocities.append(body.angularVelocity(of: state))
      }
      return try ObservedTrajectory(
        times: (0..<samples).map { Double($0) * h }, attitudes: attitudes,
        angularVelocities: angularVelocities)
    }
  }

  @Test("noiseless free-body data: the inertia ratios are recovered within 2%")
  func recoversInertiaRatios() throws {
    let h = 0.1
    let data = try Self.freeBodyData(stepSize: h, samples: 25)
    var config = TrainingConfiguration()
    config.horizon = 8
    config.iterations = 400
    config.batchSize = 16
    config.learningRate = 0.02
    config.loss = .meanSquaredError
    config.initialStates = .firstObservation
    let result = try Trainer(configuration: config).train(
      VINSO3(stepSize: h), on: data)
    let j = result.model.inertia
    let ratios = [j[1, 1] / j[0, 0], j[2, 2] / j[0, 0]]
    let offDiagonal = max(abs(j[0, 1]), abs(j[0, 2]), abs(j[1, 2])) / j[0, 0]
    print(
      "VIN-SO(3) free body: J2/J1 = \(ratios[0]), J3/J1 = \(ratios[1]), off-diagonal \(offDiagonal), loss \(result.summary.bestLoss)"
    )
    #expect(abs(ratios[0] / 2 - 1) < 0.02)
    #expect(abs(ratios[1] / 3 - 1) < 0.02)
    #expect(offDiagonal < 0.02)
  }

  @Test("save and load through ModelFile forecast the same numbers", arguments: [false, true])
  func modelFileRoundTrip(network: Bool) throws {
    let model: any RolloutModel =
      network ? try Self.networkCase().model : try Self.genericCase().model
    let data = try ModelFile(model: model).encoded()
    let loaded = try ModelFile(json: data).model()
    #expect(loaded.kind == .vinSO3)
    #expect(loaded.flatParameters == model.flatParameters)
    let r0 = SO3.exp(Vector3(0.2, -0.1, 0.4))
    let w0 = Vector3(0.3, -0.6, 0.9)
    let a = try model.forecast(attitude: r0, angularVelocity: w0, steps: 20)
    let b = try loaded.forecast(attitude: r0, angularVelocity: w0, steps: 20)
    #expect(a == b)
    #expect(a.energies != nil)
  }

  /// Files that `vin fit --model vin-so3` wrote before the typed states (version 2, dimension 3;
  /// their training summaries left out), and the row at step 10 of `vin forecast --q0
  /// 0.2,-0.1,0.3 --v0 0.5,-1,1` of each as that build printed it (t, R11…R33, w, energy).
  static let filesBeforeTypedStates = [
    (
      """
      {"dimension": 3, "format": "vinkit-model", "kind": "vin-so3", "mass": {"epsilon": 1e-06, "initialScale": 1, "kind": "so3-inertia"}, "parameters": {"mass": [1.0479362263943526, -0.07932067464117244, 1.074960226717989, 0.051923142114748744, -0.07381999215519411, 0.9249857912020727], "potential": [0.07564245953444569, -0.07191812068696948, -0.07473447093131746]}, "potential": {"kind": "so3-gravity"}, "stepSize": 0.05, "version": 2}
      """,
      [
        0.5, 0.5707945540151365, -0.739074018342508, -0.35771940472627356, 0.46719617890859894,
        0.6505998074589462, -0.5987049531677406, 0.6752194513784877, 0.17461238772046006,
        0.7166513842411064, 0.3834903397807857, -1.0517295129097028, 0.9406519728855327,
        1.2261477966994012,
      ]
    ),
    (
      """
      {"dimension": 3, "format": "vinkit-model", "kind": "vin-so3", "mass": {"epsilon": 1e-06, "initialScale": 1, "kind": "so3-inertia"}, "parameters": {"mass": [1.0401517852165552, -0.07997694316707178, 1.074546980256988, 0.06543127371928295, -0.07413274659560729, 0.9249516647055334], "potential": [0.18241378718572884, 0.03011936418280599, -0.3923392303449949, 0.2379544417959968, -0.3292004724750413, -0.19238275986680986, -0.14085742098502077, 0.1086054980676836, -0.24392642855253985, 0.22749328478772757, -0.12942858564607795, 0.10186196823812506, -0.059911081911636015, 0.10446759735338536, 0.06724359718712476, 0.08407026675688646, -0.07688517708612125, 0.10339227765244012, -0.11708253740565662, 0.29825450062127346, 0.5832125698054441, 0.15667578964647325, 0.6074529052821738]}, "potential": {"activation": "tanh", "depth": 1, "kind": "so3-mlp", "width": 2}, "stepSize": 0.05, "version": 2}
      """,
      [
        0.5, 0.5741093171993016, -0.7313208899374386, -0.3681959367593086, 0.46826095651037364,
        0.6621531623192124, -0.5850511654878202, 0.6716622428817491, 0.16347154361472108,
        0.7225973193385637, 0.31873292625089417, -1.048458018824455, 0.9286317407306757,
        1.8096850678909047,
      ]
    ),
  ]

  @Test("files written before the typed states load, forecast as they did, and round-trip")
  func filesBeforeTypedStatesLoad() throws {
    for (json, row) in Self.filesBeforeTypedStates {
      let file = try ModelFile(json: Data(json.utf8))
      let model = try file.model()
      #expect(model.kind == .vinSO3 && model.configurationDimension == 3)
      let forecast = try model.forecast(
        attitude: SO3.exp(Vector3(0.2, -0.1, 0.3)), angularVelocity: Vector3(0.5, -1, 1),
        steps: 10)
      let energy = try #require(forecast.energies)[10]
      let actual =
        [forecast.times[10]] + forecast.attitudes[10].matrix.entries
        + forecast.angularVelocities[10].components + [energy]
      print(
        "VIN-SO(3) file before the typed states: step-10 relative error \(relativeError(actual, row))"
      )
      #expect(relativeError(actual, row) < 1e-13)
      // Written by this build and read back: the same file and model.
      let again = try ModelFile(json: file.encoded())
      #expect(again == file)
      #expect(try again.model().flatParameters == model.flatParameters)
    }
  }
}
