import DiscreteMechanics

/// A user-defined potential or mass matrix in a ``ModelSpecification``: the name it is
/// registered under in a ``ComponentRegistry`` and its configuration (whatever its type needs
/// to be rebuilt: sizes, constants), as JSON.
public struct RegisteredComponent: Codable, Hashable, Sendable {
  public var name: String
  public var configuration: JSONValue

  public init(name: String, configuration: JSONValue = .null) {
    self.name = name
    self.configuration = configuration
  }
}

/// A user-defined ``LearnablePotential`` that models can save and load: register its type in a
/// ``ComponentRegistry`` and pass the registry to ``ModelSpecification/makeModel(parameters:registry:)``
/// (or ``ModelFile/model(registry:)``).
///
/// A freshly built potential gets its initial parameters from
/// ``init(dimension:configuration:generator:)``; a saved one is built the same way and then
/// given its saved ``ParameterFlattening/flatParameters``.
public protocol RegisteredPotential: SpecifiedPotential {
  /// The settings that, with the dimension, fix the potential's architecture.
  associatedtype Configuration: Codable & Sendable
  /// The name in model files (`{"kind": "registered", "name": …}`), unique in a registry.
  static var registeredName: String { get }
  /// This potential's settings.
  var configuration: Configuration { get }
  /// A freshly initialised potential on Rⁿ, n = `dimension`.
  init(dimension: Int, configuration: Configuration, generator: inout SeededGenerator)
    throws(LearningError)
}

extension RegisteredPotential {
  public var specification: PotentialSpecification {
    get throws(LearningError) {
      .registered(
        RegisteredComponent(
          name: Self.registeredName, configuration: try JSONValue(encoding: configuration)))
    }
  }
}

/// A user-defined constant ``LearnableMassMatrix`` that models can save and load, registered
/// as a ``RegisteredPotential`` is.
public protocol RegisteredMassMatrix: SpecifiedMassMatrix {
  associatedtype Configuration: Codable & Sendable
  static var registeredName: String { get }
  var configuration: Configuration { get }
  /// A freshly initialised mass matrix on Rⁿ, n = `dimension`.
  init(dimension: Int, configuration: Configuration, generator: inout SeededGenerator)
    throws(LearningError)
}

extension RegisteredMassMatrix {
  public var specification: MassSpecification {
    get throws(LearningError) {
      .registered(
        RegisteredComponent(
          name: Self.registeredName, configuration: try JSONValue(encoding: configuration)))
    }
  }
}

/// The user-defined components a ``ModelSpecification`` may name, by their registered names.
/// A value, passed where models are built: the library keeps no process-wide registry.
///
/// ```swift
/// let registry = ComponentRegistry().registering(RingPotential.self)
/// let model = try ModelFile(json: data).model(registry: registry)
/// ```
public struct ComponentRegistry: Sendable {
  private var potentials: [String: any RegisteredPotential.Type] = [:]
  private var massMatrices: [String: any RegisteredMassMatrix.Type] = [:]

  /// A registry of the built-in components only.
  public init() {}

  /// Registers `type` under its ``RegisteredPotential/registeredName`` (replacing another of
  /// that name).
  public mutating func register<Potential: RegisteredPotential>(_ type: Potential.Type) {
    potentials[Potential.registeredName] = type
  }

  /// Registers `type` under its ``RegisteredMassMatrix/registeredName``.
  public mutating func register<Mass: RegisteredMassMatrix>(_ type: Mass.Type) {
    massMatrices[Mass.registeredName] = type
  }

  /// This registry with `type` registered.
  public func registering<Potential: RegisteredPotential>(_ type: Potential.Type)
    -> ComponentRegistry
  {
    var registry = self
    registry.register(type)
    return registry
  }

  /// This registry with `type` registered.
  public func registering<Mass: RegisteredMassMatrix>(_ type: Mass.Type) -> ComponentRegistry {
    var registry = self
    registry.register(type)
    return registry
  }

  /// The registered potential `component` on Rⁿ, freshly initialised.
  func potential(
    _ component: RegisteredComponent, dimension: Int, generator: inout SeededGenerator
  ) throws(LearningError) -> any SpecifiedPotential {
    guard let type = potentials[component.name] else {
      throw .unsupportedModelFile(
        detail:
          "potential '\(component.name)' is not registered (registered: \(Self.list(potentials.keys)))"
      )
    }
    return try Self.make(type, component, dimension, &generator)
  }

  /// The registered mass matrix `component` on Rⁿ, freshly initialised.
  func mass(
    _ component: RegisteredComponent, dimension: Int, generator: inout SeededGenerator
  ) throws(LearningError) -> any SpecifiedMassMatrix {
    guard let type = massMatrices[component.name] else {
      throw .unsupportedModelFile(
        detail:
          "mass matrix '\(component.name)' is not registered (registered: \(Self.list(massMatrices.keys)))"
      )
    }
    return try Self.make(type, component, dimension, &generator)
  }

  private static func make<Potential: RegisteredPotential>(
    _ type: Potential.Type, _ component: RegisteredComponent, _ dimension: Int,
    _ generator: inout SeededGenerator
  ) throws(LearningError) -> any SpecifiedPotential {
    let configuration = try component.configuration.decode(
      Potential.Configuration.self, field: "potential '\(component.name)' configuration")
    return try Potential(dimension: dimension, configuration: configuration, generator: &generator)
  }

  private static func make<Mass: RegisteredMassMatrix>(
    _ type: Mass.Type, _ component: RegisteredComponent, _ dimension: Int,
    _ generator: inout SeededGenerator
  ) throws(LearningError) -> any SpecifiedMassMatrix {
    let configuration = try component.configuration.decode(
      Mass.Configuration.self, field: "mass matrix '\(component.name)' configuration")
    return try Mass(dimension: dimension, configuration: configuration, generator: &generator)
  }

  private static func list(_ names: some Collection<String>) -> String {
    names.isEmpty ? "none" : names.sorted().joined(separator: ", ")
  }
}
