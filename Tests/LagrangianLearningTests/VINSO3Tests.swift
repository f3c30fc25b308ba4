import DiscreteMechanics
import Foundation
import Manifolds
import Testing
import _Differentiation

@testable import LagrangianLearning

@Suite("VIN-SO(3)")
struct VINSO3Tests {
  /// A model with a generic inertia and potential, and two generic initial rows `(R₀, Ω₀)`.
  static func genericCase(network: Bool = false) throws -> (model: VINSO3, initial: [Double]) {
    let inertia = [1.1, 0.2, 1.3, -0.1, 0.15, 0.9]
    var model = try VINSO3(stepSize: 0.05, parameters: inertia + [0.3, -0.2, 0.5])
    if network {
      var generator = SeededGenerator(seed: 5)
      let shape = try NetworkShape(
        inputDimension: 9, width: 6, depth: 2, outputDimension: 1, activation: .tanh)
      model = try VINSO3(
        stepSize: 0.05, network: MultilayerPerceptron(shape: shape, generator: &generator))
      model.flatParameters = inertia + Array(model.flatParameters[6...])
    }
    let rows = [
      (Vector3(0.3, -0.5, 0.7), Vector3(0.4, -1.1, 0.8)),
      (Vector3(-1.2, 0.4, 0.2), Vector3(-0.7, 0.3, 1.5)),
    ]
    let initial = rows.flatMap { xi, w in SO3.exp(xi).matrix.entries + w.components }
    return (model, initial)
  }

  static let steps = 12

  static func loss(_ model: VINSO3, _ initial: [Double]) -> Double {
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
    let (model, initial) = try Self.genericCase(network: network)
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
    let (model, initial) = try Self.genericCase(network: network)
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
    let (model, _) = try Self.genericCase(network: network)
    let data = try ModelFile(model: model).encoded()
    let loaded = try ModelFile(json: data).model()
    #expect(loaded.kind == .vinSO3)
    #expect(loaded.flatParameters == model.flatParameters)
    let r0 = SO3.exp(Vector3(0.2, -0.1, 0.4)).matrix.entries
    let v0 = Array(r0[6...]) + [0.3, -0.6, 0.9]
    let a = try model.forecast(position: Array(r0[..<6]), velocity: v0, steps: 20)
    let b = try loaded.forecast(position: Array(r0[..<6]), velocity: v0, steps: 20)
    #expect(a == b)
    #expect(a.energies != nil)
  }
}
