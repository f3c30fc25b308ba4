/// The non-conservative forces of a VIN in a ``ModelSpecification``: the number of inputs, and
/// whether the input matrix and the dissipation are constant (``ConstantForce``; none of either
/// is ``NoForce``) or depend on q (``ConfigurationForce``, with the networks' architecture). On a
/// rigid body (vin-so3) q is the attitude R and the networks see its nine entries
/// (``ForceFeatures/attitude``).
///
/// JSON: `{"inputs": 1, "dissipation": "constant"}`, or with configuration-dependent forces
/// `{"inputs": 1, "dissipation": "configuration", "inputMatrix": "configuration",
/// "network": {"width": 16, "depth": 1, "activation": "tanh"}, "angularInputs": true}`
/// (`inputMatrix` is `constant` when absent, `angularInputs` false). A model file without
/// `forces` (every file written before forces existed) describes a conservative VIN.
public struct ForceSpecification: Codable, Hashable, Sendable {
  /// A VIN's dissipation.
  public enum Dissipation: String, Codable, Hashable, Sendable, CaseIterable {
    /// None: the VIN loses no energy but through its inputs.
    case none
    /// A learned constant `D = LLᵀ`.
    case constant
    /// A learned `D(q) = L(q)L(q)ᵀ`, L from a network of q.
    case configuration
  }

  /// A VIN's input matrix.
  public enum InputMatrix: String, Codable, Hashable, Sendable, CaseIterable {
    /// A learned constant B.
    case constant
    /// A learned B(q) from a network of q.
    case configuration
  }

  /// The number m of inputs u.
  public var inputs: Int
  public var dissipation: Dissipation
  public var inputMatrix: InputMatrix
  /// The hidden layers of the networks of B(q) and L(q) (nil for constant forces).
  public var network: NetworkArchitecture?
  /// Whether the networks see `(cos q, sin q)` (coordinates that are angles; not on a rigid
  /// body).
  public var angularInputs: Bool

  public init(
    inputs: Int = 0, dissipation: Dissipation = .none, inputMatrix: InputMatrix = .constant,
    network: NetworkArchitecture? = nil, angularInputs: Bool = false
  ) {
    self.inputs = inputs
    self.dissipation = dissipation
    self.inputMatrix = inputMatrix
    self.network = network
    self.angularInputs = angularInputs
  }

  /// No forces.
  public static let none = ForceSpecification()

  /// Whether the forces vanish (no inputs, no dissipation).
  public var vanishes: Bool { inputs == 0 && dissipation == .none }

  /// Whether B or D depends on q.
  public var dependsOnConfiguration: Bool {
    inputMatrix == .configuration || dissipation == .configuration
  }

  /// What the networks see of a point of the state space `layout`: R's entries on a rigid
  /// body, `(cos q, sin q)` with ``angularInputs``, else q.
  public func features(layout: ObservationLayout) -> ForceFeatures {
    layout == .rigidBody ? .attitude : angularInputs ? .angles : .coordinates
  }

  /// Checks that the fields agree with each other on n coordinates (on a rigid body: its
  /// attitude, n = 3).
  /// - Throws: ``LearningError/invalidConfiguration(name:value:requirement:)`` naming the field:
  ///   a number of inputs outside 0…``ModelLimits/maximumDimension``, a configuration-dependent
  ///   input matrix without inputs, a configuration-dependent matrix without `network` or a
  ///   `network` or `angularInputs` without one, `angularInputs` on a rigid body or a dimension
  ///   other than 3 there, a network beyond ``ModelLimits``.
  public func validate(dimension n: Int, layout: ObservationLayout = .coordinates)
    throws(LearningError)
  {
    try ModelLimits.check(n, in: 1...ModelLimits.maximumDimension, field: "dimension")
    if layout == .rigidBody, n != 3 {
      throw .invalidConfiguration(
        name: "dimension", value: "\(n)",
        requirement: "must be 3 for forces on a rigid body (a body torque on the three axes)")
    }
    if layout == .rigidBody, angularInputs {
      throw .invalidConfiguration(
        name: "forces.angularInputs", value: "true",
        requirement:
          "applies to coordinates that are angles (on a rigid body the networks see R's nine entries)"
      )
    }
    try ModelLimits.check(inputs, in: 0...ModelLimits.maximumDimension, field: "forces.inputs")
    if inputMatrix == .configuration, inputs == 0 {
      throw .invalidConfiguration(
        name: "forces.inputMatrix", value: "configuration",
        requirement: "needs inputs (forces.inputs at least 1): without inputs there is no B(q)")
    }
    if dependsOnConfiguration, network == nil {
      throw .invalidConfiguration(
        name: "forces.network", value: "none",
        requirement:
          "is required when the input matrix or the dissipation is \"configuration\" (the networks of B(q) and L(q))"
      )
    }
    if !dependsOnConfiguration, let network {
      throw .invalidConfiguration(
        name: "forces.network", value: "width \(network.width), depth \(network.depth)",
        requirement:
          "applies only when the input matrix or the dissipation is \"configuration\"")
    }
    if !dependsOnConfiguration, angularInputs {
      throw .invalidConfiguration(
        name: "forces.angularInputs", value: "true",
        requirement:
          "applies only when the input matrix or the dissipation is \"configuration\"")
    }
    _ = try networkShapes(dimension: n, features: features(layout: layout))
  }

  /// The shapes of the networks of B(q) (n·m outputs) and L(q) (n(n+1)/2 outputs) of the
  /// `features` (2n inputs for angles, else a point's numbers), nil for a constant matrix or
  /// none.
  /// - Throws: as `NetworkArchitecture.shape(inputs:outputs:field:)`, naming `forces.network`.
  func networkShapes(dimension n: Int, features: ForceFeatures) throws(LearningError) -> (
    inputMatrix: NetworkShape?, dampingFactor: NetworkShape?
  ) {
    guard let network else { return (nil, nil) }
    let inputsSeen = features == .angles ? 2 * n : features.pointDimension(dimension: n)
    let inputShape =
      inputMatrix == .configuration
      ? try network.shape(inputs: inputsSeen, outputs: n * inputs, field: "forces.network")
      : nil
    let dampingShape =
      dissipation == .configuration
      ? try network.shape(inputs: inputsSeen, outputs: n * (n + 1) / 2, field: "forces.network")
      : nil
    return (inputShape, dampingShape)
  }

  /// The number of parameters on n coordinates of `layout`: B's (n·m entries or its
  /// network's), then L's (n(n+1)/2 entries, its network's, or none).
  /// - Throws: as ``validate(dimension:layout:)``.
  func parameterCount(dimension n: Int, layout: ObservationLayout) throws(LearningError) -> Int {
    try validate(dimension: n, layout: layout)
    let shapes = try networkShapes(dimension: n, features: features(layout: layout))
    let inputCount = shapes.inputMatrix?.parameterCount ?? n * inputs
    let factorCount =
      shapes.dampingFactor?.parameterCount ?? (dissipation == .none ? 0 : n * (n + 1) / 2)
    return inputCount + factorCount
  }

  /// The forces on n coordinates of `layout`, fresh (random hidden layers from `generator`) or
  /// with `parameters`.
  /// - Throws: as ``ConstantForce/init(dimension:inputCount:dissipation:parameters:)`` and
  ///   ``ConfigurationForce/init(dimension:inputCount:inputMatrix:dissipation:architecture:features:parameters:)``.
  func makeForce(
    dimension n: Int, layout: ObservationLayout, parameters: [Double]?,
    generator: inout SeededGenerator
  ) throws(LearningError) -> any LearnableForce {
    try validate(dimension: n, layout: layout)
    guard dependsOnConfiguration, let network else {
      return if let parameters {
        try ConstantForce(
          dimension: n, inputCount: inputs, dissipation: dissipation == .constant,
          parameters: parameters)
      } else {
        try ConstantForce(dimension: n, inputCount: inputs, dissipation: dissipation == .constant)
      }
    }
    return if let parameters {
      try ConfigurationForce(
        dimension: n, inputCount: inputs, inputMatrix: inputMatrix, dissipation: dissipation,
        architecture: network, features: features(layout: layout), parameters: parameters)
    } else {
      try ConfigurationForce(
        dimension: n, inputCount: inputs, inputMatrix: inputMatrix, dissipation: dissipation,
        architecture: network, features: features(layout: layout), generator: &generator)
    }
  }

  // MARK: - Codable

  enum CodingKeys: String, CodingKey {
    case inputs, dissipation, inputMatrix, network, angularInputs
  }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    inputs = try container.decode(Int.self, forKey: .inputs)
    dissipation = try container.decode(Dissipation.self, forKey: .dissipation)
    inputMatrix = try container.decodeIfPresent(InputMatrix.self, forKey: .inputMatrix) ?? .constant
    network = try container.decodeIfPresent(NetworkArchitecture.self, forKey: .network)
    angularInputs = try container.decodeIfPresent(Bool.self, forKey: .angularInputs) ?? false
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(inputs, forKey: .inputs)
    try container.encode(dissipation, forKey: .dissipation)
    if inputMatrix != .constant { try container.encode(inputMatrix, forKey: .inputMatrix) }
    try container.encodeIfPresent(network, forKey: .network)
    if angularInputs { try container.encode(angularInputs, forKey: .angularInputs) }
  }
}
