import DiscreteMechanics
import Foundation
import LagrangianLearning
import Manifolds
import Testing

/// A model file is untrusted input (issue 9 §4): every size, count and value is checked when
/// it is read, exactly as a specification built in Swift is checked, and a bad one is a typed
/// error naming the field and its value, never a crash, a hang or unbounded memory.
@Suite("Model file validation")
struct ModelFileValidationTests {
  /// A valid version-2 VIN-VV on R¹ with an MLP potential of width 2 (7 parameters).
  static func vinVV(
    dimension: String = "1", stepSize: String = "0.1", width: String = "2", depth: String = "1",
    parameters: String = "[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]",
    mass: String = "{\"kind\": \"identity\"}"
  ) -> String {
    """
    {"format": "vinkit-model", "version": 2, "kind": "vin-vv", "dimension": \(dimension),
     "stepSize": \(stepSize),
     "potential": {"kind": "mlp", "width": \(width), "depth": \(depth), "activation": "tanh"},
     "mass": \(mass), "parameters": {"potential": \(parameters)}}
    """
  }

  /// A valid version-2 VIN-SO(3) with the gravity potential (or a network of the given depth).
  static func vinSO3(dimension: String = "3", depth: String? = nil) -> String {
    let potential =
      depth.map {
        "{\"kind\": \"so3-mlp\", \"width\": 2, \"depth\": \($0), \"activation\": \"tanh\"}"
      }
      ?? "{\"kind\": \"so3-gravity\"}"
    return """
      {"format": "vinkit-model", "version": 2, "kind": "vin-so3", "dimension": \(dimension),
       "stepSize": 0.1, "potential": \(potential), "mass": {"kind": "so3-inertia"},
       "parameters": {"potential": [0, 0, -1], "mass": [1, 0, 1, 0, 0, 1]}}
      """
  }

  /// A version-2 VIN-mq of the given dimension.
  static func vinMq(dimension: String) -> String {
    """
    {"format": "vinkit-model", "version": 2, "kind": "vin-mq", "dimension": \(dimension),
     "stepSize": 0.1, "potential": {"kind": "quadratic"},
     "mass": {"kind": "configuration", "width": 4, "activation": "tanh"},
     "parameters": {"potential": [1], "mass": []}}
    """
  }

  struct Case: CustomTestStringConvertible, Sendable {
    var name: String
    var json: String
    var error: LearningError
    var testDescription: String { name }
  }

  static func invalid(_ name: String, _ value: String, _ requirement: String) -> LearningError {
    .invalidConfiguration(name: name, value: value, requirement: requirement)
  }

  static let cases: [Case] = [
    Case(
      name: "depth 0", json: vinVV(depth: "0"),
      error: invalid("potential.depth", "0", "must be in 1…1000")),
    Case(
      name: "depth −1", json: vinVV(depth: "-1"),
      error: invalid("potential.depth", "-1", "must be in 1…1000")),
    Case(
      name: "width 0", json: vinVV(width: "0"),
      error: invalid("potential.width", "0", "must be in 1…1000000")),
    Case(
      name: "width Int.max", json: vinVV(width: "\(Int.max)"),
      error: invalid("potential.width", "\(Int.max)", "must be in 1…1000000")),
    Case(
      name: "dimension 2⁶²", json: vinVV(dimension: "4611686018427387904"),
      error: invalid("dimension", "4611686018427387904", "must be in 1…1000")),
    Case(
      name: "dimension 5e9", json: vinVV(dimension: "5000000000"),
      error: invalid("dimension", "5000000000", "must be in 1…1000")),
    Case(
      name: "dimension 0", json: vinVV(dimension: "0"),
      error: invalid("dimension", "0", "must be in 1…1000")),
    Case(
      name: "more parameters than a network may have",
      json: vinVV(width: "1000000", depth: "1000"),
      error: invalid(
        "potential", "999001002000001 parameters", "must have at most 134217728 parameters")),
    Case(
      name: "a NaN bias", json: vinVV(parameters: "[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, \"nan\"]"),
      error: invalid("parameters.potential[6]", "nan", "must be finite")),
    Case(
      name: "an infinite weight",
      json: vinVV(parameters: "[0.1, \"-inf\", 0.3, 0.4, 0.5, 0.6, 0.7]"),
      error: invalid("parameters.potential[1]", "-inf", "must be finite")),
    Case(
      name: "a parameter too few", json: vinVV(parameters: "[0.1, 0.2, 0.3, 0.4, 0.5, 0.6]"),
      error: .dimensionMismatch(name: "network parameters", expected: 7, actual: 6)),
    Case(
      name: "step size 1e308", json: vinVV(stepSize: "1e308"),
      error: invalid(
        "stepSize", "1e+308",
        "must be at most 1000000.0: t = k h and the h² terms of a step overflow, and no trajectory is sampled this coarsely"
      )),
    Case(
      name: "step size 0", json: vinVV(stepSize: "0"),
      error: invalid("stepSize", "0.0", "must be positive and finite")),
    Case(
      name: "step size inf", json: vinVV(stepSize: "\"inf\""),
      error: invalid("stepSize", "inf", "must be positive and finite")),
    Case(
      name: "mass ε −1", json: vinVV(mass: "{\"kind\": \"constant\", \"epsilon\": -1}"),
      error: invalid("mass.epsilon", "-1.0", "must be positive and finite")),
    Case(
      name: "vin-so3 dimension 6", json: vinSO3(dimension: "6"),
      error: invalid("dimension", "6", "must be 3 for vin-so3 (the rotation group SO(3))")),
    Case(
      name: "vin-so3 huge depth", json: vinSO3(depth: "1000000000"),
      error: invalid("potential.depth", "1000000000", "must be in 1…1000")),
    Case(
      name: "vin-mq dimension 1e9", json: vinMq(dimension: "1000000000"),
      error: invalid("dimension", "1000000000", "must be in 1…1000")),
    Case(
      name: "vin-mq dimension 1000", json: vinMq(dimension: "1000"),
      error: invalid("dimension", "1000", "must be in 1…100")),
    Case(
      name: "a potential the kind does not take",
      json: vinVV().replacingOccurrences(of: "\"kind\": \"mlp\"", with: "\"kind\": \"so3-mlp\""),
      error: invalid(
        "potential.kind", "so3-mlp",
        "vin-vv takes mlp, angular-mlp, quadratic, cosine or a registered potential")),
  ]

  @Test("bad model files are typed errors naming the field and value", arguments: cases)
  func refused(_ bad: Case) throws {
    #expect(throws: bad.error) { try ModelFile(json: Data(bad.json.utf8)) }
  }

  /// The same specification, decoded without any check and validated as a Swift value, fails
  /// with the same error: reading a file adds no checks of its own and skips none.
  @Test("a file is checked exactly as the same specification built in Swift", arguments: cases)
  func sameChecksAsSwift(_ bad: Case) throws {
    struct Raw: Decodable {
      var specification: ModelSpecification
      var parameters: ModelParameters
      enum CodingKeys: String, CodingKey { case parameters }
      init(from decoder: any Decoder) throws {
        specification = try ModelSpecification(from: decoder)
        parameters = try decoder.container(keyedBy: CodingKeys.self)
          .decode(ModelParameters.self, forKey: .parameters)
      }
    }
    let decoder = JSONDecoder()
    decoder.nonConformingFloatDecodingStrategy = .convertFromString(
      positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    let raw = try decoder.decode(Raw.self, from: Data(bad.json.utf8))
    #expect(throws: bad.error) { try raw.specification.validate(raw.parameters) }
    // Building a fresh model checks the specification alone (not the parameters).
    let aboutParameters: Bool
    switch bad.error {
    case .dimensionMismatch: aboutParameters = true
    case .invalidConfiguration(let name, _, _): aboutParameters = name.hasPrefix("parameters")
    default: aboutParameters = false
    }
    if !aboutParameters {
      var generator = SeededGenerator(seed: 0)
      #expect(throws: bad.error) { try raw.specification.makeModel(generator: &generator) }
    }
  }

  @Test("the valid files of these cases load and forecast")
  func validFilesLoad() throws {
    for json in [Self.vinVV(), Self.vinSO3(), Self.vinMq(dimension: "1")] {
      // VIN-mq on R¹ with width 4: 4·2 + 1·5 = 13 mass parameters.
      let massParameters = "\"mass\": \(Array(repeating: 0, count: 13))"
      let file = try ModelFile(
        json: Data(json.replacingOccurrences(of: "\"mass\": []", with: massParameters).utf8))
      let model = try file.model()
      let n = model.configurationDimension
      let initial: MechanicalState =
        switch model.observationLayout {
        case .coordinates:
          .coordinates(
            position: Array(repeating: 0.1, count: n), velocity: Array(repeating: 0, count: n))
        case .rigidBody: .rigidBody(attitude: .identity, angularVelocity: Vector3(1, 0, 0))
        }
      _ = try model.forecast(from: initial, steps: 3)
    }
  }

  @Test("a version-1 vin-so3 file must give dimension 6")
  func versionOneSO3Dimension() throws {
    let text = """
      {"format": "vinkit-model", "version": 1, "kind": "vin-so3", "dimension": 7,
       "stepSize": 0.1, "potential": {"kind": "gravity", "parameters": [0, 0, -1]},
       "mass": {"kind": "inertia-cholesky", "parameters": [1, 0, 1, 0, 0, 1]}}
      """
    #expect(
      throws: LearningError.invalidConfiguration(
        name: "dimension", value: "7",
        requirement: "must be 6 for a version-1 vin-so3 file (its rows (R, Ω) split 6 + 6)")
    ) { try ModelFile(json: Data(text.utf8)) }
  }
}
