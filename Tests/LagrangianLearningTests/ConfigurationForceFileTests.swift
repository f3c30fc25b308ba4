import DiscreteMechanics
import Foundation
import LagrangianLearning
import Testing

/// Configuration-dependent forces in specifications and model files: a round trip, old files
/// unchanged, inconsistent fields as typed errors naming them.
@Suite("Configuration-dependent forces in model files")
struct ConfigurationForceFileTests {
  static let network = NetworkArchitecture(width: 4, depth: 1)

  static func specification(kind: ModelKind, forces: ForceSpecification) -> ModelSpecification {
    ModelSpecification(
      kind: kind, dimension: 2, stepSize: 0.1,
      potential: .angularMLP(NetworkArchitecture(width: 6, depth: 1)),
      mass: kind == .vinMq ? .configuration(width: 4) : .constant(), forces: forces)
  }

  @Test(
    "a forced VIN-VV and VIN-mq with B(q), D(q) round-trip through a model file",
    arguments: [ModelKind.vinVelocityVerlet, .vinMq])
  func roundTrip(kind: ModelKind) throws {
    let forces = ForceSpecification(
      inputs: 1, dissipation: .configuration, inputMatrix: .configuration,
      network: Self.network, angularInputs: true)
    var generator = SeededGenerator(seed: 1)
    let model = try Self.specification(kind: kind, forces: forces).makeModel(
      generator: &generator)
    let file = try ModelFile(model: model)
    let json = try file.encoded()
    let text = String(decoding: json, as: UTF8.self)
    #expect(text.contains("\"inputMatrix\" : \"configuration\""))
    let read = try ModelFile(json: json)
    #expect(read.specification.forces == forces)
    let reloaded = try read.model()
    #expect(reloaded.flatParameters == model.flatParameters)
    // B(q): an MLP of (cos q, sin q) with 2 outputs, (4 + 1)·4 + (4 + 1)·2 parameters; L(q):
    // 3 outputs, (4 + 1)·4 + (4 + 1)·3.
    #expect(file.parameters.forces.count == 30 + 35)
    let initial = [0.3, -0.2, 0.5, 0.1]
    let inputs = [0.4, -1.0, 0.7, 0.2, -0.3]
    #expect(
      reloaded.rollout(from: initial, inputs: inputs, steps: 5, workspace: RolloutWorkspace())
        == model.rollout(from: initial, inputs: inputs, steps: 5, workspace: RolloutWorkspace()))
  }

  /// A version-2 forced VIN-VV on R¹ with the given `forces` object and force parameters.
  static func forcedVINVV(forces: String, parameters: String) -> String {
    """
    {"format": "vinkit-model", "version": 2, "kind": "vin-vv", "dimension": 1, "stepSize": 0.1,
     "potential": {"kind": "quadratic"}, "mass": {"kind": "identity"}, "forces": \(forces),
     "parameters": {"potential": [1], "forces": \(parameters)}}
    """
  }

  @Test("a file written before configuration-dependent forces loads as ConstantForce")
  func oldFileLoads() throws {
    let file = try ModelFile(
      json: Data(
        Self.forcedVINVV(
          forces: "{\"inputs\": 1, \"dissipation\": \"constant\"}", parameters: "[0.8, 0.5]"
        ).utf8))
    #expect(file.specification.forces == ForceSpecification(inputs: 1, dissipation: .constant))
    let model = try file.model()
    #expect(model.flatParameters == [1, 0.8, 0.5])
    // And it is written back as it was.
    let text = String(decoding: try file.encoded(), as: UTF8.self)
    #expect(!text.contains("inputMatrix"))
    #expect(!text.contains("angularInputs"))
  }

  static func invalid(_ name: String, _ value: String, _ requirement: String) -> LearningError {
    .invalidConfiguration(name: name, value: value, requirement: requirement)
  }

  @Test("inconsistent force fields are typed errors naming the field")
  func inconsistentFields() throws {
    let network = "{\"width\": 3, \"depth\": 1, \"activation\": \"tanh\"}"
    let cases: [(String, String, LearningError)] = [
      (
        "{\"inputs\": 0, \"dissipation\": \"none\", \"inputMatrix\": \"configuration\", \"network\": \(network)}",
        "[]",
        Self.invalid(
          "forces.inputMatrix", "configuration",
          "needs inputs (forces.inputs at least 1): without inputs there is no B(q)")
      ),
      (
        "{\"inputs\": 1, \"dissipation\": \"configuration\"}", "[0]",
        Self.invalid(
          "forces.network", "none",
          "is required when the input matrix or the dissipation is \"configuration\" (the networks of B(q) and L(q))"
        )
      ),
      (
        "{\"inputs\": 1, \"dissipation\": \"constant\", \"network\": \(network)}", "[0, 1]",
        Self.invalid(
          "forces.network", "width 3, depth 1",
          "applies only when the input matrix or the dissipation is \"configuration\"")
      ),
      (
        "{\"inputs\": 1, \"dissipation\": \"constant\", \"angularInputs\": true}", "[0, 1]",
        Self.invalid(
          "forces.angularInputs", "true",
          "applies only when the input matrix or the dissipation is \"configuration\"")
      ),
      (
        "{\"inputs\": 1, \"dissipation\": \"configuration\", \"network\": {\"width\": 0, \"depth\": 1, \"activation\": \"tanh\"}}",
        "[0]", Self.invalid("forces.network.width", "0", "must be in 1…1000000")
      ),
      // B constant (1) and L's network with 3 hidden units and one output: 1 + 10 numbers.
      (
        "{\"inputs\": 1, \"dissipation\": \"configuration\", \"network\": \(network)}",
        "[0, 1, 2]", .dimensionMismatch(name: "forces parameters", expected: 11, actual: 3)
      ),
    ]
    for (forces, parameters, error) in cases {
      #expect(throws: error) {
        try ModelFile(json: Data(Self.forcedVINVV(forces: forces, parameters: parameters).utf8))
      }
    }
    // An unknown kind of dissipation names the field.
    do {
      _ = try ModelFile(
        json: Data(
          Self.forcedVINVV(
            forces: "{\"inputs\": 1, \"dissipation\": \"quadratic\"}", parameters: "[0]"
          ).utf8))
      Issue.record("an unknown dissipation was read")
    } catch {
      #expect("\(error)".contains("forces.dissipation"), "\(error)")
    }
  }

  @Test("vin-so3 takes forces of the attitude and refuses angular inputs, naming the field")
  func rigidBodyConfigurationForces() throws {
    var forces = ForceSpecification(inputs: 1, dissipation: .configuration, network: Self.network)
    let specification = ModelSpecification(
      kind: .vinSO3, dimension: 3, stepSize: 0.1, potential: .rigidBodyGravity,
      mass: .rigidBodyInertia(), forces: forces)
    try specification.validate()
    forces.angularInputs = true
    let angular = ModelSpecification(
      kind: .vinSO3, dimension: 3, stepSize: 0.1, potential: .rigidBodyGravity,
      mass: .rigidBodyInertia(), forces: forces)
    #expect(
      throws: Self.invalid(
        "forces.angularInputs", "true",
        "applies to coordinates that are angles (on a rigid body the networks see R's nine entries)"
      )
    ) { try angular.validate() }
  }
}
