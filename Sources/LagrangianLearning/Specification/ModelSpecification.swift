import DiscreteMechanics

/// Everything that fixes a model's architecture: its kind, configuration dimension, step size
/// and components (a VIN's potential and mass matrix, or a baseline's network). It is the one
/// factory of models: ``makeModel(generator:registry:)`` builds a freshly initialised model,
/// ``makeModel(parameters:registry:)`` the model with given parameters; a ``ModelFile`` is a
/// specification with parameters and a training summary, and `vin fit` builds its
/// specification from its options.
///
/// ```swift
/// let specification = ModelSpecification(
///   kind: .vinVelocityVerlet, dimension: 2, stepSize: 0.1,
///   potential: .mlp(NetworkArchitecture(width: 100, depth: 1)), mass: .constant())
/// var generator = SeededGenerator(seed: 1)
/// let model = try specification.makeModel(generator: &generator)
/// ```
///
/// Every specification is checked by ``validate()`` before a model is built, the same checks
/// whether it was written in Swift or read from a file (sizes within ``ModelLimits``, a step
/// size that is positive, finite and at most ``ModelLimits/maximumStepSize``, components that
/// the kind takes); the dimension is the number of coordinates the potential sees: n for Rⁿ or
/// a torus of n angles, 1 for VIN-SO(2), 3 for VIN-SO(3) (SO(3) has dimension 3).
public struct ModelSpecification: Codable, Hashable, Sendable {
  /// A VIN's physics or a baseline's network.
  public enum Components: Hashable, Sendable {
    case variational(potential: PotentialSpecification, mass: MassSpecification)
    case baseline(BaselineNetworkSpecification)
  }

  public var kind: ModelKind
  /// The configuration dimension n.
  public var dimension: Int
  /// The time step h between observations.
  public var stepSize: Double
  public var components: Components
  /// A VIN's non-conservative forces (none for a conservative VIN and for a baseline, whose
  /// inputs are its network's).
  public var forces: ForceSpecification
  /// Whether a vin-mq is trained on positions and velocities (``VINMq/observesVelocities``);
  /// false for every other kind, whose observations the kind fixes. Files written before the
  /// choice existed have none, and observe positions.
  public var observesVelocities: Bool

  /// A VIN (`kind` one of the `vin-…` kinds), with `forces` when it is driven or damped, and a
  /// vin-mq trained on velocities too when `observesVelocities`.
  public init(
    kind: ModelKind, dimension: Int, stepSize: Double, potential: PotentialSpecification,
    mass: MassSpecification, forces: ForceSpecification = .none, observesVelocities: Bool = false
  ) {
    self.kind = kind
    self.dimension = dimension
    self.stepSize = stepSize
    components = .variational(potential: potential, mass: mass)
    self.forces = forces
    self.observesVelocities = observesVelocities
  }

  /// A baseline (`kind` ``ModelKind/residualNetwork`` or ``ModelKind/feedForward``).
  public init(
    kind: ModelKind, dimension: Int, stepSize: Double, network: BaselineNetworkSpecification
  ) {
    self.kind = kind
    self.dimension = dimension
    self.stepSize = stepSize
    components = .baseline(network)
    forces = .none
    observesVelocities = false
  }

  /// A VIN's potential (`nil` for a baseline).
  public var potential: PotentialSpecification? {
    if case .variational(let potential, _) = components { potential } else { nil }
  }

  /// A VIN's mass matrix (`nil` for a baseline).
  public var mass: MassSpecification? {
    if case .variational(_, let mass) = components { mass } else { nil }
  }

  /// A baseline's network (`nil` for a VIN).
  public var network: BaselineNetworkSpecification? {
    if case .baseline(let network) = components { network } else { nil }
  }

  /// The state space of the model: a rigid body's `(R, Ω)` for vin-so3 and for a baseline
  /// built for one, coordinates `(q, q̇)` otherwise.
  public var observationLayout: ObservationLayout {
    switch components {
    case .baseline(let network): network.layout
    case .variational: kind == .vinSO3 ? .rigidBody : .coordinates
    }
  }

  // MARK: - Validation

  /// Checks the specification.
  /// - Throws: ``LearningError/invalidConfiguration(name:value:requirement:)`` naming the field
  ///   and its value: a dimension outside 1…``ModelLimits/maximumDimension`` (or not 1 for
  ///   vin-so2, not 3 for vin-so3 or a baseline on a rigid body, above
  ///   ``ModelLimits/maximumConfigurationMassDimension`` for vin-mq), a step size that is not positive, finite and at most
  ///   ``ModelLimits/maximumStepSize``, a width, depth or parameter count beyond the limits,
  ///   an ε out of range, a component the kind does not take, or forces whose fields disagree
  ///   (``ForceSpecification/validate(dimension:layout:)``).
  public func validate() throws(LearningError) {
    try ModelLimits.check(dimension, in: 1...ModelLimits.maximumDimension, field: "dimension")
    try ModelLimits.checkStepSize(stepSize)
    if let required = kind.fixedDimension, dimension != required {
      throw .invalidConfiguration(
        name: "dimension", value: "\(dimension)",
        requirement: "must be \(required) for \(kind.rawValue) (\(kind.configurationSpaceName))")
    }
    if observationLayout == .rigidBody, dimension != 3 {
      throw .invalidConfiguration(
        name: "dimension", value: "\(dimension)",
        requirement: "must be 3 for a \(kind.rawValue) on a rigid body (the rotation group SO(3))")
    }
    if kind == .vinMq {
      try ModelLimits.check(
        dimension, in: 1...ModelLimits.maximumConfigurationMassDimension, field: "dimension")
    }
    if observesVelocities, kind != .vinMq {
      throw .invalidConfiguration(
        name: "velocities", value: "true",
        requirement:
          "is a choice of vin-mq (\(kind.rawValue) observes \(kind.observesVelocities == true ? "velocities always" : "positions only"))"
      )
    }
    try forces.validate(dimension: dimension, layout: observationLayout)
    if !forces.vanishes, !kind.learnsForces {
      throw .invalidConfiguration(
        name: "forces",
        value: "\(forces.inputs) inputs, dissipation \(forces.dissipation.rawValue)",
        requirement:
          "are learned by vin-vv, vin-mq and vin-so3 (\(kind.rawValue) is conservative; a baseline's inputs are its network's)"
      )
    }
    switch components {
    case .baseline(let network):
      guard kind.isBaseline else {
        throw .invalidConfiguration(
          name: "network", value: "a baseline network",
          requirement: "\(kind.rawValue) is a VIN: it takes a potential and a mass matrix")
      }
      _ = try network.shape(dimension: dimension)
    case .variational(let potential, let mass):
      guard !kind.isBaseline else {
        throw .invalidConfiguration(
          name: "potential", value: potential.kindName,
          requirement: "\(kind.rawValue) is a baseline: it takes a network")
      }
      try checkCombination(potential, mass)
      try mass.validate()
      _ = try potential.parameterCount(dimension: dimension)
      _ = try mass.parameterCount(dimension: dimension)
    }
  }

  /// Whether `kind` takes this potential and mass matrix.
  private func checkCombination(_ potential: PotentialSpecification, _ mass: MassSpecification)
    throws(LearningError)
  {
    let onSO3 = kind == .vinSO3
    if potential.isRigidBodyPotential != onSO3 {
      throw .invalidConfiguration(
        name: "potential.kind", value: potential.kindName,
        requirement: onSO3
          ? "vin-so3 takes so3-gravity (U = e_zᵀRc) or so3-mlp (a network of R)"
          : "\(kind.rawValue) takes mlp, angular-mlp, quadratic, cosine or a registered potential"
      )
    }
    let massAllowed: Bool
    let massKinds: String
    switch kind {
    case .vinSO3:
      if case .rigidBodyInertia = mass { massAllowed = true } else { massAllowed = false }
      massKinds = "so3-inertia"
    case .vinMq:
      if case .configuration = mass { massAllowed = true } else { massAllowed = false }
      massKinds = "configuration (a learned M(q))"
    default:
      switch mass {
      case .identity, .constant, .registered: massAllowed = true
      case .configuration, .rigidBodyInertia: massAllowed = false
      }
      massKinds = "identity, constant or a registered mass matrix"
    }
    guard massAllowed else {
      throw .invalidConfiguration(
        name: "mass.kind", value: mass.kindName,
        requirement: "\(kind.rawValue) takes \(massKinds)")
    }
  }

  /// Checks the specification and `parameters`: the count of each built-in component's list
  /// (those of registered components are checked when they are built) and every value finite.
  /// - Throws: as ``validate()``; ``LearningError/dimensionMismatch(name:expected:actual:)``
  ///   naming the list for a wrong count; ``LearningError/invalidConfiguration(name:value:requirement:)``
  ///   naming the entry (`parameters.potential[17]`) for a NaN or infinite value.
  public func validate(_ parameters: ModelParameters) throws(LearningError) {
    try validate()
    var expected: [(field: String, name: String, values: [Double], count: Int?)]
    switch components {
    case .baseline(let network):
      expected = [
        ("parameters.potential", "potential parameters", parameters.potential, 0),
        ("parameters.mass", "mass parameters", parameters.mass, 0),
        ("parameters.forces", "forces parameters", parameters.forces, 0),
        (
          "parameters.network", "network parameters", parameters.network,
          try network.shape(dimension: dimension).parameterCount
        ),
      ]
    case .variational(let potential, let mass):
      expected = [
        (
          "parameters.potential", potential.parameterListName, parameters.potential,
          try potential.parameterCount(dimension: dimension)
        ),
        (
          "parameters.mass", mass.parameterListName, parameters.mass,
          try mass.parameterCount(dimension: dimension)
        ),
        (
          "parameters.forces", "forces parameters", parameters.forces,
          try forces.parameterCount(dimension: dimension, layout: observationLayout)
        ),
        ("parameters.network", "network parameters of a VIN", parameters.network, 0),
      ]
    }
    for (field, name, values, count) in expected {
      if let count, values.count != count {
        throw .dimensionMismatch(name: name, expected: count, actual: values.count)
      }
      try ModelLimits.checkFinite(values, field: field)
    }
  }

  // MARK: - Factory

  /// A freshly initialised model, its random weights drawn from `generator`.
  /// - Throws: as ``validate()``; ``LearningError/unsupportedModelFile(detail:)`` for a
  ///   registered component that `registry` does not know.
  public func makeModel(
    generator: inout SeededGenerator, registry: ComponentRegistry = ComponentRegistry()
  ) throws(LearningError) -> any SpecifiedModel {
    try validate()
    return try build(parameters: nil, generator: &generator, registry: registry)
  }

  /// The model with `parameters` (for example a ``ModelFile``'s).
  /// - Throws: as ``validate(_:)``; as ``makeModel(generator:registry:)``.
  public func makeModel(
    parameters: ModelParameters, registry: ComponentRegistry = ComponentRegistry()
  ) throws(LearningError) -> any SpecifiedModel {
    try validate(parameters)
    // Registered components are built fresh, then given their parameters.
    var generator = SeededGenerator(seed: 0)
    return try build(parameters: parameters, generator: &generator, registry: registry)
  }

  private func build(
    parameters: ModelParameters?, generator: inout SeededGenerator, registry: ComponentRegistry
  ) throws(LearningError) -> any SpecifiedModel {
    let n = dimension
    switch components {
    case .baseline(let specification):
      let shape = try specification.shape(dimension: n)
      let network =
        if let parameters {
          try MultilayerPerceptron(shape: shape, parameters: parameters.network)
        } else {
          MultilayerPerceptron(shape: shape, generator: &generator)
        }
      return try BaselineModel(
        network: network, architecture: kind == .residualNetwork ? .residual : .feedForward,
        stepSize: stepSize, angularPositions: specification.angularInputs,
        layout: specification.layout, inputCount: specification.inputs)
    case .variational(let potential, let mass):
      switch (kind, mass) {
      case (.vinSO3, .rigidBodyInertia(let epsilon, let scale)):
        let torque =
          forces.vanishes
          ? nil
          : try forces.makeForce(
            dimension: 3, layout: .rigidBody, parameters: parameters?.forces,
            generator: &generator)
        return try Self.rigidBody(
          potential, stepSize: stepSize, initialInertiaScale: scale, epsilon: epsilon,
          torque: torque, parameters: parameters, generator: &generator)
      case (.vinMq, .configuration(let width, let activation, let epsilon)):
        let learnedPotential = try potential.makePotential(
          dimension: n, parameters: parameters?.potential, generator: &generator,
          registry: registry)
        let matrix =
          if let parameters {
            try ConfigurationMassMatrix(
              dimension: n, width: width, activation: activation, epsilon: epsilon,
              parameters: parameters.mass)
          } else {
            try ConfigurationMassMatrix(
              dimension: n, width: width, activation: activation, epsilon: epsilon,
              generator: &generator)
          }
        return try Self.midpoint(
          learnedPotential, matrix,
          forces.vanishes
            ? nil
            : forces.makeForce(
              dimension: n, layout: .coordinates, parameters: parameters?.forces,
              generator: &generator),
          stepSize: stepSize, observesVelocities: observesVelocities)
      default:
        let learnedPotential = try potential.makePotential(
          dimension: n, parameters: parameters?.potential, generator: &generator,
          registry: registry)
        let learnedMass = try mass.makeConstantMass(
          dimension: n, parameters: parameters?.mass, generator: &generator, registry: registry)
        if !forces.vanishes {
          return try Self.forced(
            learnedPotential, learnedMass,
            forces.makeForce(
              dimension: n, layout: .coordinates, parameters: parameters?.forces,
              generator: &generator),
            stepSize: stepSize)
        }
        return try Self.variational(kind, learnedPotential, learnedMass, stepSize: stepSize)
      }
    }
  }

  /// A VIN-SO(3) with the potential `specification` and the body torque `torque` (none:
  /// conservative), fresh or with `parameters`.
  private static func rigidBody(
    _ specification: PotentialSpecification, stepSize: Double, initialInertiaScale: Double,
    epsilon: Double, torque: (any LearnableForce)?, parameters: ModelParameters?,
    generator: inout SeededGenerator
  ) throws(LearningError) -> any SpecifiedModel {
    let inertia = try RigidBodyInertia(
      initialScale: initialInertiaScale, epsilon: epsilon, factor: parameters?.mass)
    func build<Potential: SpecifiedRigidBodyPotential>(_ potential: Potential)
      throws(LearningError) -> any SpecifiedModel
    {
      func driven<Forces: LearnableForce>(_ torque: Forces) throws(LearningError)
        -> any SpecifiedModel
      {
        try VINSO3(potential: potential, mass: inertia, forces: torque, stepSize: stepSize)
      }
      return if let torque {
        try driven(torque)
      } else {
        try VINSO3(potential: potential, mass: inertia, stepSize: stepSize)
      }
    }
    switch specification {
    case .rigidBodyMLP:
      guard let shape = try specification.networkShape(dimension: 3) else {
        throw .invalidConfiguration(
          name: "potential.kind", value: specification.kindName, requirement: "must be so3-mlp")
      }
      let network =
        if let parameters {
          try MultilayerPerceptron(shape: shape, parameters: parameters.potential)
        } else {
          MultilayerPerceptron(shape: shape, generator: &generator)
        }
      return try build(RigidBodyMLPPotential(network: network))
    default:
      var potential = RigidBodyGravityPotential()
      if let parameters { potential.flatParameters = parameters.potential }
      return try build(potential)
    }
  }

  /// A VIN-mq, forced when `forces` is given.
  private static func midpoint<Potential: SpecifiedPotential>(
    _ potential: Potential, _ mass: ConfigurationMassMatrix, _ forces: (any LearnableForce)?,
    stepSize: Double, observesVelocities: Bool
  ) throws(LearningError) -> any SpecifiedModel {
    func forced<Forces: LearnableForce>(_ forces: Forces) throws(LearningError)
      -> any SpecifiedModel
    {
      try VINMq(
        potential: potential, mass: mass, forces: forces, stepSize: stepSize,
        observesVelocities: observesVelocities)
    }
    if let forces { return try forced(forces) }
    return try VINMq(
      potential: potential, mass: mass, stepSize: stepSize,
      observesVelocities: observesVelocities)
  }

  /// A forced VIN-VV.
  private static func forced<Potential: SpecifiedPotential>(
    _ potential: Potential, _ mass: any SpecifiedMassMatrix, _ forces: any LearnableForce,
    stepSize: Double
  ) throws(LearningError) -> any SpecifiedModel {
    func build<Mass: SpecifiedMassMatrix, Forces: LearnableForce>(_ mass: Mass, _ forces: Forces)
      throws(LearningError) -> any SpecifiedModel
    {
      try VINVelocityVerlet(potential: potential, mass: mass, forces: forces, stepSize: stepSize)
    }
    return try build(mass, forces)
  }

  private static func variational<Potential: SpecifiedPotential>(
    _ kind: ModelKind, _ potential: Potential, _ mass: any SpecifiedMassMatrix, stepSize: Double
  ) throws(LearningError) -> any SpecifiedModel {
    func build<Mass: SpecifiedMassMatrix>(_ mass: Mass) throws(LearningError)
      -> any SpecifiedModel
    {
      switch kind {
      case .vinVelocityVerlet:
        try VINVelocityVerlet(potential: potential, mass: mass, stepSize: stepSize)
      case .vinStormerVerlet:
        try VINStormerVerlet(potential: potential, mass: mass, stepSize: stepSize)
      default: try VINSO2(potential: potential, mass: mass, stepSize: stepSize)
      }
    }
    return try build(mass)
  }

  // MARK: - Codable

  enum CodingKeys: String, CodingKey {
    case kind, dimension, stepSize, potential, mass, forces, network
    case observesVelocities = "velocities"
  }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    kind = try container.decode(ModelKind.self, forKey: .kind)
    dimension = try container.decode(Int.self, forKey: .dimension)
    stepSize = try container.decode(Double.self, forKey: .stepSize)
    if kind.isBaseline {
      components = .baseline(
        try container.decode(BaselineNetworkSpecification.self, forKey: .network))
    } else {
      components = .variational(
        potential: try container.decode(PotentialSpecification.self, forKey: .potential),
        mass: try container.decode(MassSpecification.self, forKey: .mass))
    }
    forces = try container.decodeIfPresent(ForceSpecification.self, forKey: .forces) ?? .none
    observesVelocities =
      try container.decodeIfPresent(Bool.self, forKey: .observesVelocities) ?? false
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(kind, forKey: .kind)
    try container.encode(dimension, forKey: .dimension)
    try container.encode(stepSize, forKey: .stepSize)
    switch components {
    case .baseline(let network): try container.encode(network, forKey: .network)
    case .variational(let potential, let mass):
      try container.encode(potential, forKey: .potential)
      try container.encode(mass, forKey: .mass)
    }
    if !forces.vanishes { try container.encode(forces, forKey: .forces) }
    if observesVelocities { try container.encode(true, forKey: .observesVelocities) }
  }
}

/// A baseline's network `f_θ: R^{2n} → R^{2n}`, or `R^{3n} → R^{2n}` with `angularInputs`
/// (inputs `(cos q, sin q, q̇)`), or `R¹² → R¹²` on a rigid body (`layout`
/// ``ObservationLayout/rigidBody``, the state `(R11, …, R33, Ω)`); with m `inputs`, the
/// network also sees the m inputs u after the state.
public struct BaselineNetworkSpecification: Codable, Hashable, Sendable {
  public var architecture: NetworkArchitecture
  public var angularInputs: Bool
  /// The state space the network maps: coordinates or a rigid body's `(R, Ω)`. Files written
  /// before rigid-body baselines existed have none, and are on coordinates.
  public var layout: ObservationLayout
  /// The number m of inputs u (0 for an unforced baseline; files written before inputs existed
  /// have none).
  public var inputs: Int

  public init(
    _ architecture: NetworkArchitecture, angularInputs: Bool = false,
    layout: ObservationLayout = .coordinates, inputs: Int = 0
  ) {
    self.architecture = architecture
    self.angularInputs = angularInputs
    self.layout = layout
    self.inputs = inputs
  }

  /// - Throws: ``LearningError/invalidConfiguration(name:value:requirement:)`` for sizes beyond
  ///   ``ModelLimits``, a negative number of inputs and for angular inputs on a rigid body.
  func shape(dimension n: Int) throws(LearningError) -> NetworkShape {
    try ModelLimits.check(inputs, in: 0...ModelLimits.maximumDimension, field: "network.inputs")
    let state = layout.observationDimension(configurationDimension: n, velocities: true)
    if angularInputs, layout == .rigidBody {
      throw .invalidConfiguration(
        name: "network.angularInputs", value: "true",
        requirement: "apply to coordinates that are angles, not to a rigid body's (R, Ω)")
    }
    return try architecture.shape(
      inputs: (angularInputs ? 3 * n : state) + inputs, outputs: state, field: "network")
  }

  enum CodingKeys: String, CodingKey {
    case width, depth, activation, angularInputs, layout, inputs
  }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    architecture = NetworkArchitecture(
      width: try container.decode(Int.self, forKey: .width),
      depth: try container.decode(Int.self, forKey: .depth),
      activation: try container.decode(Activation.self, forKey: .activation))
    angularInputs = try container.decodeIfPresent(Bool.self, forKey: .angularInputs) ?? false
    layout = try container.decodeIfPresent(ObservationLayout.self, forKey: .layout) ?? .coordinates
    inputs = try container.decodeIfPresent(Int.self, forKey: .inputs) ?? 0
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(architecture.width, forKey: .width)
    try container.encode(architecture.depth, forKey: .depth)
    try container.encode(architecture.activation, forKey: .activation)
    try container.encode(angularInputs, forKey: .angularInputs)
    try container.encode(layout, forKey: .layout)
    if inputs > 0 { try container.encode(inputs, forKey: .inputs) }
  }
}
