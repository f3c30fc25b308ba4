import DiscreteMechanics

/// The potential of a VIN in a ``ModelSpecification``.
///
/// JSON: `{"kind": "mlp", "width": 100, "depth": 1, "activation": "tanh"}`, `{"kind":
/// "quadratic"}`, `{"kind": "registered", "name": "ring", "configuration": {…}}`, …
public enum PotentialSpecification: Codable, Hashable, Sendable {
  /// ``MLPPotential``: a network of q ∈ Rⁿ (n inputs, one output).
  case mlp(NetworkArchitecture)
  /// ``AngularMLPPotential``: a network of `(cos q, sin q)` (2n inputs), 2π-periodic in every qᵢ.
  case angularMLP(NetworkArchitecture)
  /// ``QuadraticPotential`` `½ k |q|²`, k initialised at 1.
  case quadratic
  /// ``CosinePotential`` `a Σ (1 − cos qᵢ)`, a initialised at 1.
  case cosine
  /// VIN-SO(3)'s heavy-body potential `U(R) = e_zᵀRc`, c initialised at 0 (3 parameters).
  case rigidBodyGravity
  /// VIN-SO(3)'s network potential `U(R) = f_θ(R)` of the nine entries of R.
  case rigidBodyMLP(NetworkArchitecture)
  /// A user-defined ``RegisteredPotential``.
  case registered(RegisteredComponent)

  /// The name in model files.
  public var kindName: String {
    switch self {
    case .mlp: "mlp"
    case .angularMLP: "angular-mlp"
    case .quadratic: "quadratic"
    case .cosine: "cosine"
    case .rigidBodyGravity: "so3-gravity"
    case .rigidBodyMLP: "so3-mlp"
    case .registered: "registered"
    }
  }

  /// What a wrong parameter count names: the words of the component's own initialiser, so
  /// that a file and a model built in Swift report it alike.
  var parameterListName: String {
    switch self {
    case .mlp, .angularMLP, .rigidBodyMLP: "network parameters"
    case .registered(let component): "registered potential '\(component.name)' parameters"
    default: "\(kindName) potential parameters"
    }
  }

  /// Whether this is a potential on SO(3) (VIN-SO(3)'s) rather than on Rⁿ.
  var isRigidBodyPotential: Bool {
    switch self {
    case .rigidBodyGravity, .rigidBodyMLP: true
    default: false
    }
  }

  /// The network of a network potential on `dimension` coordinates (`nil` for the others).
  func networkShape(dimension n: Int) throws(LearningError) -> NetworkShape? {
    switch self {
    case .mlp(let a): try a.shape(inputs: n, outputs: 1, field: "potential")
    case .angularMLP(let a): try a.shape(inputs: 2 * n, outputs: 1, field: "potential")
    case .rigidBodyMLP(let a): try a.shape(inputs: 9, outputs: 1, field: "potential")
    case .quadratic, .cosine, .rigidBodyGravity, .registered: nil
    }
  }

  /// The number of parameters on `dimension` coordinates (`nil` for a registered potential,
  /// known once it is built).
  func parameterCount(dimension n: Int) throws(LearningError) -> Int? {
    switch self {
    case .quadratic, .cosine: 1
    case .rigidBodyGravity: 3
    case .registered: nil
    case .mlp, .angularMLP, .rigidBodyMLP: try networkShape(dimension: n)?.parameterCount
    }
  }

  /// The potential on Rⁿ: fresh from `generator`, or with `parameters` (checked).
  func makePotential(
    dimension n: Int, parameters: [Double]?, generator: inout SeededGenerator,
    registry: ComponentRegistry
  ) throws(LearningError) -> any SpecifiedPotential {
    let potential: any SpecifiedPotential
    switch self {
    case .mlp, .angularMLP:
      guard let shape = try networkShape(dimension: n) else { throw Self.notOnVectorSpace(self) }
      let network =
        if let parameters {
          try MultilayerPerceptron(shape: shape, parameters: parameters)
        } else {
          MultilayerPerceptron(shape: shape, generator: &generator)
        }
      if case .mlp = self {
        return try MLPPotential(network: network)
      }
      return try AngularMLPPotential(network: network)
    case .quadratic: potential = QuadraticPotential(dimension: n, stiffness: 1)
    case .cosine: potential = CosinePotential(dimension: n, amplitude: 1)
    case .registered(let component):
      potential = try registry.potential(component, dimension: n, generator: &generator)
      guard potential.dimension == n else {
        throw .dimensionMismatch(
          name: "registered potential '\(component.name)' dimension", expected: n,
          actual: potential.dimension)
      }
    case .rigidBodyGravity, .rigidBodyMLP: throw Self.notOnVectorSpace(self)
    }
    guard let parameters else { return potential }
    return try Self.restoring(potential, parameters, name: parameterListName)
  }

  private static func restoring<Potential: SpecifiedPotential>(
    _ potential: Potential, _ parameters: [Double], name: String
  ) throws(LearningError) -> Potential {
    guard parameters.count == potential.parameterCount else {
      throw .dimensionMismatch(
        name: name, expected: potential.parameterCount,
        actual: parameters.count)
    }
    var potential = potential
    potential.flatParameters = parameters
    return potential
  }

  private static func notOnVectorSpace(_ potential: Self) -> LearningError {
    .invalidConfiguration(
      name: "potential.kind", value: potential.kindName,
      requirement: "is a potential on SO(3), for vin-so3 only")
  }

  // MARK: - Codable

  enum CodingKeys: String, CodingKey {
    case kind, width, depth, activation, name, configuration
  }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let kind = try container.decode(String.self, forKey: .kind)
    func network() throws -> NetworkArchitecture {
      NetworkArchitecture(
        width: try container.decode(Int.self, forKey: .width),
        depth: try container.decode(Int.self, forKey: .depth),
        activation: try container.decode(Activation.self, forKey: .activation))
    }
    switch kind {
    case "mlp": self = .mlp(try network())
    case "angular-mlp": self = .angularMLP(try network())
    case "quadratic": self = .quadratic
    case "cosine": self = .cosine
    case "so3-gravity": self = .rigidBodyGravity
    case "so3-mlp": self = .rigidBodyMLP(try network())
    case "registered":
      self = .registered(
        RegisteredComponent(
          name: try container.decode(String.self, forKey: .name),
          configuration: try container.decodeIfPresent(JSONValue.self, forKey: .configuration)
            ?? .null))
    default:
      // A file from a newer library or with a damaged kind: named, not a crash.
      throw LearningError.unsupportedModelFile(detail: "unknown potential kind '\(kind)'")
    }
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(kindName, forKey: .kind)
    switch self {
    case .mlp(let a), .angularMLP(let a), .rigidBodyMLP(let a):
      try container.encode(a.width, forKey: .width)
      try container.encode(a.depth, forKey: .depth)
      try container.encode(a.activation, forKey: .activation)
    case .registered(let component):
      try container.encode(component.name, forKey: .name)
      try container.encode(component.configuration, forKey: .configuration)
    case .quadratic, .cosine, .rigidBodyGravity: break
    }
  }
}
