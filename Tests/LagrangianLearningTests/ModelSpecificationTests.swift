import DiscreteMechanics
import Foundation
import LagrangianLearning
import Manifolds
import Testing
import _Differentiation

/// A user-defined potential, registered so that its models save and load: the ring
/// `V = ½ k (|q|² − r²)²` with learnable k and a fixed radius r from its configuration.
struct RingPotential: RegisteredPotential {
  struct Configuration: Codable, Sendable, Equatable {
    var radius: Double
  }

  var stiffness: Double
  @noDerivative let dimension: Int
  @noDerivative let radius: Double

  static var registeredName: String { "ring" }
  var configuration: Configuration { Configuration(radius: radius) }

  init(dimension: Int, configuration: Configuration, generator: inout SeededGenerator) {
    self.dimension = dimension
    radius = configuration.radius
    stiffness = 1 + 0.1 * generator.nextUniform()
  }

  var parameterCount: Int { 1 }
  var flatParameters: [Double] {
    get { [stiffness] }
    set { stiffness = newValue[0] }
  }
  func flatten(_ tangent: Self.TangentVector) -> [Double] { [tangent.stiffness] }

  @differentiable(reverse)
  func energy(at q: [Double]) -> Double {
    var r2 = 0.0
    for i in withoutDerivative(at: q.indices) { r2 = r2 + q[i] * q[i] }
    let d = r2 - radius * radius
    return 0.5 * stiffness * d * d
  }

  @differentiable(reverse)
  func gradient(at q: [Double]) -> [Double] {
    var r2 = 0.0
    for i in withoutDerivative(at: q.indices) { r2 = r2 + q[i] * q[i] }
    let factor = 2 * stiffness * (r2 - radius * radius)
    var g: [Double] = []
    for i in withoutDerivative(at: q.indices) { g = g + [factor * q[i]] }
    return g
  }
}

/// A user-defined mass matrix `M = s² I` with a learnable scale s, registered.
struct UniformMassMatrix: RegisteredMassMatrix {
  var scale: Double
  @noDerivative let dimension: Int

  static var registeredName: String { "uniform" }
  var configuration: [String: Double] { [:] }

  init(dimension: Int, configuration: [String: Double], generator: inout SeededGenerator) {
    self.dimension = dimension
    scale = 1
  }

  var parameterCount: Int { 1 }
  var flatParameters: [Double] {
    get { [scale] }
    set { scale = newValue[0] }
  }
  func flatten(_ tangent: Self.TangentVector) -> [Double] { [tangent.scale] }

  @differentiable(reverse)
  func entries() -> [Double] {
    var m: [Double] = []
    let n = withoutDerivative(at: dimension)
    for i in 0..<(n * n) { m = m + [i % (n + 1) == 0 ? scale * scale : 0] }
    return m
  }
}

@Suite("Model specifications")
struct ModelSpecificationTests {
  static let network = NetworkArchitecture(width: 5, depth: 2, activation: .softplus)

  /// The specification builds, from a seed, exactly what the components' own initialisers
  /// build from that seed.
  @Test("a specification builds the model the initialisers build, weight for weight")
  func factoryMatchesInitialisers() throws {
    var a = SeededGenerator(seed: 3)
    let built = try ModelSpecification(
      kind: .vinVelocityVerlet, dimension: 2, stepSize: 0.1, potential: .mlp(Self.network),
      mass: .constant()
    ).makeModel(generator: &a)
    var b = SeededGenerator(seed: 3)
    let direct = try VINVelocityVerlet(
      potential: MLPPotential(
        dimension: 2, width: 5, depth: 2, activation: .softplus, generator: &b),
      mass: ConstantMassMatrix(dimension: 2), stepSize: 0.1)
    #expect(built.kind == .vinVelocityVerlet)
    #expect(built.flatParameters == direct.flatParameters)

    var c = SeededGenerator(seed: 5)
    let midpoint = try ModelSpecification(
      kind: .vinMq, dimension: 2, stepSize: 0.05, potential: .angularMLP(Self.network),
      mass: .configuration(width: 4)
    ).makeModel(generator: &c)
    var d = SeededGenerator(seed: 5)
    let potential = try AngularMLPPotential(
      dimension: 2, width: 5, depth: 2, activation: .softplus, generator: &d)
    let directMidpoint = try VINMq(
      potential: potential,
      mass: ConfigurationMassMatrix(dimension: 2, width: 4, generator: &d), stepSize: 0.05)
    #expect(midpoint.flatParameters == directMidpoint.flatParameters)

    var e = SeededGenerator(seed: 8)
    let baseline = try ModelSpecification(
      kind: .residualNetwork, dimension: 1, stepSize: 0.1,
      network: BaselineNetworkSpecification(Self.network, angularInputs: true)
    ).makeModel(generator: &e)
    var f = SeededGenerator(seed: 8)
    let directBaseline = try BaselineModel(
      architecture: .residual, dimension: 1, width: 5, depth: 2, activation: .softplus,
      stepSize: 0.1, angularPositions: true, generator: &f)
    #expect(baseline.flatParameters == directBaseline.flatParameters)
    #expect(baseline.initialStateDimension == 2)
  }

  static func specifiedModels() throws -> [any SpecifiedModel] {
    var generator = SeededGenerator(seed: 12)
    let so3Network = try MultilayerPerceptron(
      shape: NetworkShape(
        inputDimension: 9, width: 4, depth: 1, outputDimension: 1, activation: .tanh),
      generator: &generator)
    let models: [any RolloutModel] =
      try ModelFileTests.models() + [
        VINMq(
          potential: QuadraticPotential(dimension: 2, stiffness: 0.7),
          mass: ConfigurationMassMatrix(dimension: 2, width: 3, generator: &generator),
          stepSize: 0.05),
        VINSO2(
          potential: CosinePotential(dimension: 1, amplitude: 2),
          mass: ConstantMassMatrix(dimension: 1), stepSize: 0.1),
        VINSO3(stepSize: 0.05, initialInertiaScale: 0.4),
        VINSO3(stepSize: 0.05, network: so3Network, epsilon: 1e-5),
        BaselineModel(
          architecture: .residual, dimension: 3, width: 5, depth: 1, activation: .tanh,
          stepSize: 0.05, layout: .rigidBody, generator: &generator),
        BaselineModel(
          architecture: .residual, dimension: 2, width: 5, depth: 1, activation: .tanh,
          stepSize: 0.05, angularPositions: true, inputCount: 2, generator: &generator),
        VINVelocityVerlet(
          potential: QuadraticPotential(dimension: 2, stiffness: 0.7),
          mass: ConstantMassMatrix(dimension: 2),
          forces: ConstantForce(
            dimension: 2, inputCount: 2, dissipation: true,
            parameters: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]),
          stepSize: 0.05),
        VINMq(
          potential: QuadraticPotential(dimension: 2, stiffness: 0.7),
          mass: ConfigurationMassMatrix(dimension: 2, width: 3, generator: &generator),
          forces: ConstantForce(
            dimension: 2, inputCount: 1, dissipation: true, parameters: [0.1, 0.2, 0.3, 0.4, 0.5]),
          stepSize: 0.05),
      ]
    return try models.map { model in try #require(model as? any SpecifiedModel) }
  }

  @Test("every model's specification and parameters rebuild it, through JSON too")
  func specificationRebuildsTheModel() throws {
    let encoder = JSONEncoder()
    for model in try Self.specifiedModels() {
      let specification = try model.specification
      try specification.validate(model.componentParameters)
      let rebuilt = try specification.makeModel(parameters: model.componentParameters)
      #expect(rebuilt.kind == model.kind)
      #expect(rebuilt.flatParameters == model.flatParameters, "\(model.kind)")
      #expect(try rebuilt.specification == specification)
      let decoded = try JSONDecoder().decode(
        ModelSpecification.self, from: encoder.encode(specification))
      #expect(decoded == specification, "\(model.kind)")
    }
  }

  @Test(
    "every VIN is a potential-and-mass model: flat parameters are the potential's, mass's, forces'")
  func everyVINSharesOneParameterLayout() throws {
    var kinds = Set<ModelKind>()
    for model in try Self.specifiedModels() where !model.kind.isBaseline {
      let vin = try #require(model as? any PotentialMassModel & SpecifiedModel, "\(model.kind)")
      kinds.insert(vin.kind)
      let parts = vin.componentParameters
      #expect(vin.flatParameters == parts.potential + parts.mass + parts.forces, "\(vin.kind)")
      // Setting the flat parameters sets the potential's, then the mass's.
      var moved = vin
      let shifted = vin.flatParameters.enumerated().map {
        $0.element + 0.01 * Double($0.offset % 7)
      }
      moved.flatParameters = shifted
      #expect(
        moved.componentParameters.potential + moved.componentParameters.mass
          + moved.componentParameters.forces == shifted,
        "\(vin.kind)")
    }
    #expect(kinds == Set(ModelKind.allCases.filter { !$0.isBaseline }))
  }

  @Test("forces: vin-vv, vin-mq and vin-so3 take them, and their parameter list is counted")
  func forcesAreChecked() throws {
    let forces = ForceSpecification(inputs: 1, dissipation: .constant)
    for kind in [ModelKind.vinStormerVerlet, .vinSO2] {
      let conservative = ModelSpecification(
        kind: kind, dimension: 1, stepSize: 0.1, potential: .quadratic,
        mass: .identity, forces: forces)
      #expect(throws: LearningError.self) { try conservative.validate() }
    }
    var generator = SeededGenerator(seed: 1)
    let onMq = try ModelSpecification(
      kind: .vinMq, dimension: 2, stepSize: 0.1, potential: .quadratic,
      mass: .configuration(width: 3), forces: forces
    ).makeModel(generator: &generator)
    #expect(onMq.inputCount == 1)
    #expect(try onMq.specification.forces == forces)
    let onVV = ModelSpecification(
      kind: .vinVelocityVerlet, dimension: 2, stepSize: 0.1, potential: .quadratic,
      mass: .identity, forces: forces)
    // B is 2×1, L has 3 entries.
    #expect(
      throws: LearningError.dimensionMismatch(name: "forces parameters", expected: 5, actual: 4)
    ) { try onVV.makeModel(parameters: ModelParameters(potential: [1], forces: [1, 2, 3, 4])) }
    let model = try onVV.makeModel(
      parameters: ModelParameters(potential: [1], forces: [1, 2, 3, 4, 5]))
    #expect(model.inputCount == 1)
    #expect(model.flatParameters == [1, 1, 2, 3, 4, 5])
    // On SO(3): B is 3×2, L has 6 entries.
    let onSO3 = ModelSpecification(
      kind: .vinSO3, dimension: 3, stepSize: 0.1, potential: .rigidBodyGravity,
      mass: .rigidBodyInertia(), forces: ForceSpecification(inputs: 2, dissipation: .constant))
    #expect(
      throws: LearningError.dimensionMismatch(name: "forces parameters", expected: 12, actual: 6)
    ) {
      try onSO3.makeModel(
        parameters: ModelParameters(
          potential: [0, 0, 0], mass: [1, 0, 1, 0, 0, 1], forces: Array(repeating: 0.5, count: 6)))
    }
    let body = try onSO3.makeModel(
      parameters: ModelParameters(
        potential: [0, 0, 0], mass: [1, 0, 1, 0, 0, 1],
        forces: (1...12).map { Double($0) }))
    #expect(body.inputCount == 2)
    #expect(body.flatParameters.suffix(12) == (1...12).map { Double($0) })
    #expect(try body.specification == onSO3)
  }

  @Test("a registered potential and mass matrix save and load; unregistered they are named")
  func registeredComponents() throws {
    let registry = ComponentRegistry().registering(RingPotential.self)
      .registering(UniformMassMatrix.self)
    let specification = try ModelSpecification(
      kind: .vinVelocityVerlet, dimension: 2, stepSize: 0.05,
      potential: .registered(
        RegisteredComponent(
          name: "ring",
          configuration: JSONValue(encoding: RingPotential.Configuration(radius: 1.5)))),
      mass: .registered(RegisteredComponent(name: "uniform", configuration: .object([:]))))
    var generator = SeededGenerator(seed: 2)
    var model = try specification.makeModel(generator: &generator, registry: registry)
    model.flatParameters = [0.8, 1.1]
    let data = try ModelFile(model: model).encoded()
    let text = String(decoding: data, as: UTF8.self)
    #expect(text.contains("\"name\" : \"ring\""))
    #expect(text.contains("\"radius\" : 1.5"))

    let file = try ModelFile(json: data)
    #expect(
      throws: LearningError.unsupportedModelFile(
        detail: "potential 'ring' is not registered (registered: none)")
    ) { try file.model() }
    let loaded = try file.model(registry: registry)
    #expect(loaded.flatParameters == [0.8, 1.1])
    #expect(
      try loaded.forecast(position: [1.2, 0.3], velocity: [0, 0.5], steps: 40)
        == model.forecast(position: [1.2, 0.3], velocity: [0, 0.5], steps: 40))
    // The ring's force points to the circle of radius r: at |q| = r the model is at rest.
    let rest = try loaded.forecast(position: [1.5, 0], velocity: [0, 0], steps: 5)
    #expect(rest.positions.allSatisfy { abs($0[0] - 1.5) < 1e-14 && $0[1] == 0 })

    var wrongCount = file
    wrongCount.parameters.potential = [1, 2]
    #expect(
      throws: LearningError.dimensionMismatch(
        name: "registered potential 'ring' parameters", expected: 1, actual: 2)
    ) { try wrongCount.model(registry: registry) }
  }

  /// Version-1 files, as the library wrote them before the specification: they load, and
  /// forecast as the model they describe built directly.
  @Test("version-1 files load as the models they describe")
  func versionOneFilesLoad() throws {
    let quadratic = try ModelFile(
      json: Data(
        """
        {"format": "vinkit-model", "version": 1, "kind": "vin-vv", "dimension": 1,
         "stepSize": 0.1, "potential": {"kind": "quadratic", "parameters": [4]},
         "mass": {"kind": "identity", "parameters": []}}
        """.utf8))
    let expected = try VINVelocityVerlet(
      potential: QuadraticPotential(dimension: 1, stiffness: 4),
      mass: IdentityMassMatrix(dimension: 1), stepSize: 0.1)
    #expect(
      try quadratic.model().forecast(position: [1], velocity: [0], steps: 20)
        == expected.forecast(position: [1], velocity: [0], steps: 20))

    let mlp = try ModelFile(json: Data(ModelFileTests.versionOneMLP.utf8))
    let shape = try NetworkShape(
      inputDimension: 2, width: 1, depth: 1, outputDimension: 1, activation: .tanh)
    let directMLP = try VINVelocityVerlet(
      potential: MLPPotential(
        network: MultilayerPerceptron(shape: shape, parameters: [0.5, -0.25, 0.1, 2, 0.3])),
      mass: ConstantMassMatrix(dimension: 2, parameters: [0.2, 0.7, -0.3]), stepSize: 0.1)
    #expect(mlp.specification.potential == .mlp(NetworkArchitecture(width: 1, depth: 1)))
    #expect(
      try mlp.model().forecast(position: [0.3, 0.1], velocity: [0, 1], steps: 20)
        == directMLP.forecast(position: [0.3, 0.1], velocity: [0, 1], steps: 20))

    let so3 = try ModelFile(
      json: Data(
        """
        {"format": "vinkit-model", "version": 1, "kind": "vin-so3", "dimension": 6,
         "stepSize": 0.1, "potential": {"kind": "gravity", "parameters": [0, 0, -1]},
         "mass": {"kind": "inertia-cholesky", "epsilon": 1e-6,
                  "parameters": [1, 0, 1, 0, 0, 1]}}
        """.utf8))
    #expect(so3.specification.dimension == 3)
    let directSO3 = try VINSO3(stepSize: 0.1, parameters: [0, 0, -1, 1, 0, 1, 0, 0, 1])
    let r0 = try SO3(validating: Matrix3(1, 0, 0, 0, 0.8, -0.6, 0, 0.6, 0.8))
    let w0 = Vector3(0.1, 0.2, 0.3)
    #expect(
      try so3.model().forecast(attitude: r0, angularVelocity: w0, steps: 20)
        == directSO3.forecast(attitude: r0, angularVelocity: w0, steps: 20))
    // Written again, a version-1 file becomes version 2 and loads to the same model.
    let again = try ModelFile(json: so3.encoded())
    #expect(again == so3)
  }

  @Test(
    "files of versions other than 1 and 2 are refused naming the version",
    arguments: ["0", "3", "99", "-1", "\"2\"", "null"])
  func otherVersionsAreRefused(version: String) throws {
    let text = "{\"format\": \"vinkit-model\", \"version\": \(version), \"kind\": \"vin-vv\"}"
    do {
      _ = try ModelFile(json: Data(text.utf8))
      Issue.record("version \(version) was accepted")
    } catch {
      let message = "\(error)"
      switch version {
      case "\"2\"": #expect(message.contains("'version'"), "\(message)")
      case "null":
        #expect(message.contains("version missing; this library reads versions 1 to 2"))
      default:
        #expect(
          error
            == .unsupportedModelFile(
              detail: "version \(version); this library reads versions 1 to 2"))
      }
    }
  }
}
