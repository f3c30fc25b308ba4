import DiscreteMechanics
import Foundation
import Manifolds
import Testing
import _Differentiation

@testable import LagrangianLearning

/// A body torque `τ = B(R)u − D(R)Ω` given by two functions of R: the learned torque as
/// DiscreteMechanics sees it, written independently of the library's ``LearnedBodyTorque``.
struct FunctionTorque: RigidBodyTorque {
  let inputCount: Int
  let inputMatrix: @Sendable (Matrix3) -> [Double]
  let dissipationMatrix: @Sendable (Matrix3) -> Matrix3

  func inputTorque(at attitude: SO3, input u: [Double]) -> Vector3 {
    let b = inputMatrix(attitude.matrix)
    var torque = Vector3.zero
    for i in 0..<3 {
      var sum = 0.0
      for j in 0..<inputCount { sum += b[i * inputCount + j] * u[j] }
      torque[i] = sum
    }
    return torque
  }

  func dissipation(at attitude: SO3) -> Matrix3 { dissipationMatrix(attitude.matrix) }

  /// The learned forces' B(R) and D(R).
  static func learned(_ forces: some LearnableForce) -> FunctionTorque {
    FunctionTorque(
      inputCount: forces.inputCount, inputMatrix: { forces.inputMatrix(at: $0.entries) },
      dissipationMatrix: { Matrix3(entries: forces.dissipation(at: $0.entries)) })
  }
}

/// VIN-SO(3) with a body torque that depends on the attitude: ``ConfigurationForce`` with
/// ``ForceFeatures/attitude``, evaluated at R_k and R_{k+1} as the forced LGVI does.
@Suite("VIN-SO(3) with B(R), D(R): gradients, the forced SO3LGVI, constant limit, files")
struct AttitudeTorqueTests {
  static let architecture = NetworkArchitecture(width: 5, depth: 1)

  /// B(R) (3×2) and D(R) networks of R (or one of them constant), with random output layers so
  /// that both vary with R.
  static func forces(
    inputMatrix: ForceSpecification.InputMatrix = .configuration, seed: UInt64 = 3
  ) throws -> ConfigurationForce {
    var generator = SeededGenerator(seed: seed)
    var forces = try ConfigurationForce(
      dimension: 3, inputCount: 2, inputMatrix: inputMatrix, dissipation: .configuration,
      architecture: architecture, features: .attitude, initialDamping: 0.2,
      generator: &generator)
    forces.flatParameters = forces.flatParameters.map {
      $0 + generator.nextNormal(standardDeviation: 0.3)
    }
    return forces
  }

  /// A forced VIN-SO(3) with a generic inertia, the gravity potential and the torque `forces`.
  static func model(_ forces: ConfigurationForce) throws -> VINSO3<
    RigidBodyGravityPotential, ConfigurationForce
  > {
    try VINSO3(
      potential: RigidBodyGravityPotential(c: Vector3(0.3, -0.2, 0.5)),
      mass: RigidBodyInertia(factor: VINSO3Tests.inertia), forces: forces, stepSize: 0.05)
  }

  @Test(
    "the gradients of J, U, the networks of B(R) and D(R) and the starts match central differences",
    arguments: [ForceSpecification.InputMatrix.configuration, .constant])
  func gradients(inputMatrix: ForceSpecification.InputMatrix) throws {
    try ForcedVINSO3Tests.checkGradients(
      Self.model(Self.forces(inputMatrix: inputMatrix)), network: false)
  }

  @Test(
    "the batched rollout and the forecast are the forced SO3LGVI with the learned B(R), D(R) to round-off"
  )
  func rolloutIsForcedLGVI() throws {
    let model = try Self.model(Self.forces())
    let initial = SO3RolloutTests.initialRows
    let windows = initial.count / 12
    let steps = 30
    var generator = SeededGenerator(seed: 12)
    let inputs = (0..<(windows * steps * 2)).map { _ in generator.nextStandardNormal() }
    let output = model.rollout(
      from: initial, inputs: inputs, steps: steps, workspace: RolloutWorkspace())
    var worst = (rollout: 0.0, forecast: 0.0)
    var variation = 0.0
    for w in 0..<windows {
      let row = Array(initial[(12 * w)..<(12 * w + 12)])
      let body = model.body
      var integrator = try SO3LGVI(
        system: body, stepSize: 0.05, forces: FunctionTorque.learned(model.forces))
      var state = RigidBodyState(
        attitude: SO3(uncheckedMatrix: Matrix3(entries: row)),
        angularMomentum: body.inertia * Vector3(row[9], row[10], row[11]))
      var expected = state.attitude.matrix.entries + body.angularVelocity(of: state).components
      var stepInputs: [[Double]] = []
      let d0 = model.forces.dissipation(at: state.attitude.matrix.entries)
      for k in 0..<steps {
        let u = Array(inputs[((w * steps + k) * 2)..<((w * steps + k) * 2 + 2)])
        stepInputs.append(u)
        try integrator.holdInput(u)
        try integrator.step(&state)
        expected += state.attitude.matrix.entries + body.angularVelocity(of: state).components
      }
      // D(R) changes along the window: the test sees a torque that depends on R.
      variation = max(
        variation,
        relativeError(model.forces.dissipation(at: state.attitude.matrix.entries), d0))
      let size = 12 * (steps + 1)
      let rows = Array(output[(w * size)..<((w + 1) * size)])
      worst.rollout = max(worst.rollout, zip(rows, expected).map { abs($0 - $1) }.max() ?? .nan)
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
      worst.forecast = max(
        worst.forecast, zip(forecastRows, expected).map { abs($0 - $1) }.max() ?? .nan)
    }
    print(
      "VIN-SO(3) with B(R), D(R) against the forced SO3LGVI: rollout \(worst.rollout), forecast \(worst.forecast), D's relative change over a window \(variation)"
    )
    #expect(worst.rollout < 1e-12)
    #expect(worst.forecast < 1e-12)
    #expect(variation > 0.01)
  }

  /// The lower Cholesky factor's entries, row by row, of a symmetric positive definite 3×3 D.
  static func choleskyFactor(_ d: [Double]) -> [Double] {
    var l = [Double](repeating: 0, count: 9)
    for i in 0..<3 {
      for j in 0...i {
        var sum = d[i * 3 + j]
        for k in 0..<j { sum -= l[i * 3 + k] * l[j * 3 + k] }
        l[i * 3 + j] = i == j ? sum.squareRoot() : sum / l[j * 3 + j]
      }
    }
    return [l[0], l[3], l[4], l[6], l[7], l[8]]
  }

  @Test("with zero first-layer weights B(R) and D(R) are constant and the rollout ConstantForce's")
  func constantLimit() throws {
    var forces = try Self.forces()
    var parameters = forces.flatParameters
    // The first layer's weights of B's network, then of L's (L's parameters follow B's).
    let inputWeights = 9 * Self.architecture.width
    for i in 0..<inputWeights { parameters[i] = 0 }
    let dampingStart = forces.inputParameters.count
    for i in dampingStart..<(dampingStart + inputWeights) { parameters[i] = 0 }
    forces.flatParameters = parameters
    let origin = [1.0, 0, 0, 0, 1, 0, 0, 0, 1]
    let (b, d) = (forces.inputMatrix(at: origin), forces.dissipation(at: origin))
    let constant = try ConstantForce(
      dimension: 3, inputCount: 2, dissipation: true,
      parameters: b + Self.choleskyFactor(d))
    let model = try Self.model(forces)
    let reference = try VINSO3(
      potential: model.potential, mass: model.mass, forces: constant, stepSize: model.stepSize)
    let initial = SO3RolloutTests.initialRows
    let inputs = (0..<(5 * 20 * 2)).map { Double($0 % 7) - 3 }
    let workspace = RolloutWorkspace()
    let learned = model.rollout(from: initial, inputs: inputs, steps: 20, workspace: workspace)
    let expected = reference.rollout(
      from: initial, inputs: inputs, steps: 20, workspace: RolloutWorkspace())
    let difference = zip(learned, expected).map { abs($0 - $1) }.max() ?? .nan
    #expect(difference < 1e-12, "\(difference)")
  }

  @Test("save and load through ModelFile: B(R), D(R) recorded, the same forecast")
  func modelFileRoundTrip() throws {
    let model = try Self.model(Self.forces())
    let file = try ModelFile(model: model)
    #expect(
      file.specification.forces
        == ForceSpecification(
          inputs: 2, dissipation: .configuration, inputMatrix: .configuration,
          network: Self.architecture))
    #expect(file.parameters.forces == model.forces.flatParameters)
    let text = try file.encoded()
    let loaded = try ModelFile(json: text).model()
    #expect(loaded.kind == .vinSO3)
    #expect(loaded.inputCount == 2)
    #expect(loaded.flatParameters == model.flatParameters)
    let start = MechanicalState.rigidBody(
      attitude: SO3.exp(Vector3(0.2, -0.1, 0.4)), angularVelocity: Vector3(0.3, -0.6, 0.9))
    let inputs = (0..<20).map { k in [sin(Double(k)), cos(0.5 * Double(k))] }
    let expected = try model.forecast(from: start, inputs: inputs, steps: 20)
    #expect(try loaded.forecast(from: start, inputs: inputs, steps: 20) == expected)
  }

  @Test("forces that do not see the attitude, or of another dimension, are typed errors")
  func badForces() throws {
    var generator = SeededGenerator(seed: 1)
    let coordinates = try ConfigurationForce(
      dimension: 3, inputCount: 1, inputMatrix: .constant, dissipation: .configuration,
      architecture: Self.architecture, generator: &generator)
    #expect(
      throws: LearningError.dimensionMismatch(
        name: "body torque point dimension (the 9 entries of R)", expected: 9, actual: 3)
    ) {
      try VINSO3(
        potential: RigidBodyGravityPotential(), mass: RigidBodyInertia(), forces: coordinates,
        stepSize: 0.1)
    }
    #expect(
      throws: LearningError.invalidConfiguration(
        name: "dimension", value: "2",
        requirement: "must be 3 for forces on a rigid body (a body torque on the three axes)")
    ) {
      try ConfigurationForce(
        dimension: 2, inputCount: 1, inputMatrix: .constant, dissipation: .configuration,
        architecture: Self.architecture, features: .attitude, generator: &generator)
    }
    // A file whose parameter list does not fit the networks of R's nine entries.
    let specification = ModelSpecification(
      kind: .vinSO3, dimension: 3, stepSize: 0.1, potential: .rigidBodyGravity,
      mass: .rigidBodyInertia(),
      forces: ForceSpecification(
        inputs: 0, dissipation: .configuration, network: Self.architecture))
    let count = try ForceSpecification(
      inputs: 0, dissipation: .configuration, network: Self.architecture
    ).parameterCount(dimension: 3, layout: .rigidBody)
    #expect(count == (9 + 1) * 5 + (5 + 1) * 6)
    #expect(
      throws: LearningError.dimensionMismatch(
        name: "forces parameters", expected: count, actual: count - 1)
    ) {
      try specification.makeModel(
        parameters: ModelParameters(
          potential: [0, 0, 0], mass: [1, 0, 1, 0, 0, 1],
          forces: Array(repeating: 0.1, count: count - 1)))
    }
  }
}
