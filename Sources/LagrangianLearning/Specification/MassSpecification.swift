import DiscreteMechanics

/// The mass matrix (or inertia) of a VIN in a ``ModelSpecification``.
///
/// JSON: `{"kind": "identity"}`, `{"kind": "constant", "epsilon": 0.0001}`, `{"kind":
/// "configuration", "width": 16, "activation": "tanh", "epsilon": 0.0001}`, `{"kind":
/// "so3-inertia", "epsilon": 1e-06, "initialScale": 1}`, `{"kind": "registered", …}`.
public enum MassSpecification: Codable, Hashable, Sendable {
  /// ``IdentityMassMatrix``, `M = I`, no parameters.
  case identity
  /// ``ConstantMassMatrix``, a learned constant `M = LLᵀ` with `Lᵢᵢ = softplus(rᵢ) + ε`,
  /// initialised at `M = I`.
  case constant(epsilon: Double = 1e-4)
  /// ``ConfigurationMassMatrix``, a learned `M(q) = L(q)L(q)ᵀ + εI` from a one-hidden-layer
  /// network, initialised at `M(q) = I` (VIN-mq only).
  case configuration(width: Int, activation: Activation = .tanh, epsilon: Double = 1e-4)
  /// VIN-SO(3)'s learned inertia `J = LLᵀ + εI`, initialised at `J = sI` for the initial
  /// scale s (a saved model's parameters replace the initial value).
  case rigidBodyInertia(epsilon: Double = 1e-6, initialScale: Double = 1)
  /// A user-defined ``RegisteredMassMatrix``.
  case registered(RegisteredComponent)

  /// The name in model files.
  public var kindName: String {
    switch self {
    case .identity: "identity"
    case .constant: "constant"
    case .configuration: "configuration"
    case .rigidBodyInertia: "so3-inertia"
    case .registered: "registered"
    }
  }

  /// What a wrong parameter count names (as the component's own initialiser does).
  var parameterListName: String {
    switch self {
    case .registered(let component): "registered mass matrix '\(component.name)' parameters"
    case .rigidBodyInertia: "so3-inertia parameters"
    default: "mass matrix parameters"
    }
  }

  /// Checks ε, the network width and the initial scale.
  func validate() throws(LearningError) {
    switch self {
    case .identity, .registered: break
    case .constant(let epsilon): try ModelLimits.checkEpsilon(epsilon, field: "mass.epsilon")
    case .configuration(let width, _, let epsilon):
      try ModelLimits.check(width, in: 1...ModelLimits.maximumWidth, field: "mass.width")
      try ModelLimits.checkEpsilon(epsilon, below: 1, field: "mass.epsilon")
    case .rigidBodyInertia(let epsilon, let scale):
      try ModelLimits.checkEpsilon(epsilon, field: "mass.epsilon")
      guard scale.isFinite, scale > 0 else {
        throw .invalidConfiguration(
          name: "mass.initialScale", value: "\(scale)", requirement: "must be positive and finite")
      }
    }
  }

  /// The number of parameters on `dimension` coordinates (`nil` for a registered matrix).
  func parameterCount(dimension n: Int) throws(LearningError) -> Int? {
    switch self {
    case .identity: return 0
    case .constant: return n * (n + 1) / 2
    case .rigidBodyInertia: return 6
    case .registered: return nil
    case .configuration(let width, _, _):
      // width (n + 1) + n(n+1)/2 (width + 1), n ≤ the VIN-mq bound.
      let count = try ModelLimits.sum(
        [
          ModelLimits.product(width, n + 1),
          ModelLimits.product(n * (n + 1) / 2, width + 1),
        ], field: "mass")
      try ModelLimits.checkParameterCount(count, field: "mass")
      return count
    }
  }

  /// The constant mass matrix on Rⁿ: fresh, or with `parameters` (checked).
  func makeConstantMass(
    dimension n: Int, parameters: [Double]?, generator: inout SeededGenerator,
    registry: ComponentRegistry
  ) throws(LearningError) -> any SpecifiedMassMatrix {
    let mass: any SpecifiedMassMatrix
    switch self {
    case .identity: mass = IdentityMassMatrix(dimension: n)
    case .constant(let epsilon):
      if let parameters {
        return try ConstantMassMatrix(dimension: n, parameters: parameters, epsilon: epsilon)
      }
      mass = ConstantMassMatrix(dimension: n, epsilon: epsilon)
    case .registered(let component):
      mass = try registry.mass(component, dimension: n, generator: &generator)
      guard mass.dimension == n else {
        throw .dimensionMismatch(
          name: "registered mass matrix '\(component.name)' dimension", expected: n,
          actual: mass.dimension)
      }
    case .configuration, .rigidBodyInertia:
      throw .invalidConfiguration(
        name: "mass.kind", value: kindName,
        requirement: "is not a constant mass matrix (configuration: vin-mq; so3-inertia: vin-so3)")
    }
    guard let parameters else { return mass }
    return try Self.restoring(mass, parameters)
  }

  private static func restoring<Mass: SpecifiedMassMatrix>(_ mass: Mass, _ parameters: [Double])
    throws(LearningError) -> Mass
  {
    guard parameters.count == mass.parameterCount else {
      throw .dimensionMismatch(
        name: "mass matrix parameters", expected: mass.parameterCount, actual: parameters.count)
    }
    var mass = mass
    mass.flatParameters = parameters
    return mass
  }

  // MARK: - Codable

  enum CodingKeys: String, CodingKey {
    case kind, epsilon, width, activation, initialScale, name, configuration
  }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let kind = try container.decode(String.self, forKey: .kind)
    func epsilon(_ otherwise: Double) throws -> Double {
      try container.decodeIfPresent(Double.self, forKey: .epsilon) ?? otherwise
    }
    switch kind {
    case "identity": self = .identity
    case "constant": self = .constant(epsilon: try epsilon(1e-4))
    case "configuration":
      self = .configuration(
        width: try container.decode(Int.self, forKey: .width),
        activation: try container.decodeIfPresent(Activation.self, forKey: .activation) ?? .tanh,
        epsilon: try epsilon(1e-4))
    case "so3-inertia":
      self = .rigidBodyInertia(
        epsilon: try epsilon(1e-6),
        initialScale: try container.decodeIfPresent(Double.self, forKey: .initialScale) ?? 1)
    case "registered":
      self = .registered(
        RegisteredComponent(
          name: try container.decode(String.self, forKey: .name),
          configuration: try container.decodeIfPresent(JSONValue.self, forKey: .configuration)
            ?? .null))
    default:
      // A file from a newer library or with a damaged kind: named, not a crash.
      throw LearningError.unsupportedModelFile(detail: "unknown mass matrix kind '\(kind)'")
    }
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(kindName, forKey: .kind)
    switch self {
    case .identity: break
    case .constant(let epsilon): try container.encode(epsilon, forKey: .epsilon)
    case .configuration(let width, let activation, let epsilon):
      try container.encode(width, forKey: .width)
      try container.encode(activation, forKey: .activation)
      try container.encode(epsilon, forKey: .epsilon)
    case .rigidBodyInertia(let epsilon, let scale):
      try container.encode(epsilon, forKey: .epsilon)
      try container.encode(scale, forKey: .initialScale)
    case .registered(let component):
      try container.encode(component.name, forKey: .name)
      try container.encode(component.configuration, forKey: .configuration)
    }
  }
}
