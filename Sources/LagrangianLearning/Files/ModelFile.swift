import Foundation

/// The versioned JSON form of a trained model: everything needed to forecast (kind,
/// dimension, step size, architecture, parameters) and the training summary.
///
/// ```json
/// { "format": "vinkit-model", "version": 1, "kind": "vin-vv", "dimension": 1,
///   "stepSize": 0.1,
///   "potential": { "kind": "mlp", "shape": { … }, "parameters": [ … ] },
///   "mass": { "kind": "constant", "epsilon": 0.0001, "parameters": [ … ] },
///   "training": { … } }
/// ```
///
/// Numbers are written in their shortest round-trip form, so a saved and reloaded model
/// forecasts bit for bit the same; non-finite numbers in the summary are written as strings
/// ("nan", "inf", "-inf"). Writing the file atomically is the caller's job.
public struct ModelFile: Codable, Equatable, Sendable {
  /// The version this library writes and reads.
  public static let currentVersion = 1
  /// The `format` tag of a VINKit model file.
  public static let formatName = "vinkit-model"

  public var format: String
  public var version: Int
  public var kind: ModelKind
  /// The configuration dimension n.
  public var dimension: Int
  public var stepSize: Double
  /// The potential of a VIN.
  public var potential: PotentialRecord?
  /// The mass matrix of a VIN.
  public var mass: MassRecord?
  /// The network of a baseline.
  public var network: NetworkRecord?
  public var training: TrainingSummary?

  /// A saved potential: `kind` is `mlp` or `angular-mlp` (with `shape`), `quadratic` (`[k]`)
  /// or `cosine` (`[a]`).
  public struct PotentialRecord: Codable, Equatable, Sendable {
    public var kind: String
    public var shape: NetworkShape?
    public var parameters: [Double]
  }

  /// A saved mass matrix: `kind` is `identity`, `constant` (with `epsilon`) or `configuration`
  /// (a ``ConfigurationMassMatrix``, with `epsilon`, `width` and `activation`).
  public struct MassRecord: Codable, Equatable, Sendable {
    public var kind: String
    public var epsilon: Double?
    public var width: Int?
    public var activation: Activation?
    public var parameters: [Double]
  }

  /// A saved baseline network: its input is `(q, q̇)` (2n numbers) or, for a baseline with
  /// ``BaselineModel/angularPositions``, `(cos q, sin q, q̇)` (3n).
  public struct NetworkRecord: Codable, Equatable, Sendable {
    public var shape: NetworkShape
    public var parameters: [Double]
  }

  /// The file of `model`.
  /// - Throws: ``LearningError/unsupportedModelFile(detail:)`` for a model built from a
  ///   user-defined potential or mass matrix, which this format cannot describe.
  public init(model: some RolloutModel, training: TrainingSummary? = nil) throws(LearningError) {
    format = Self.formatName
    version = Self.currentVersion
    kind = model.kind
    dimension = model.configurationDimension
    stepSize = model.stepSize
    self.training = training
    if let baseline = model as? BaselineModel {
      network = NetworkRecord(
        shape: baseline.network.shape, parameters: baseline.network.flatParameters)
    } else if let so3 = model as? VINSO3 {
      let p = so3.flatParameters
      potential = PotentialRecord(
        kind: so3.networkShape == nil ? "gravity" : "mlp", shape: so3.networkShape,
        parameters: Array(p[6...]))
      mass = MassRecord(kind: "inertia-cholesky", epsilon: so3.epsilon, parameters: Array(p[..<6]))
    } else if let vin = model as? any VariationalModel {
      potential = try vin.potentialRecord()
      mass = try vin.massRecord()
    } else {
      throw .unsupportedModelFile(detail: "cannot save a model of type \(type(of: model))")
    }
  }

  // MARK: - JSON

  /// The JSON text (UTF-8), keys sorted.
  public func encoded() throws(LearningError) -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(
      positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    do {
      return try encoder.encode(self)
    } catch {
      throw .corruptModelFile(detail: "cannot encode: \(error)")
    }
  }

  /// A model file read from JSON.
  /// - Throws: ``LearningError/corruptModelFile(detail:)`` for truncated or malformed JSON or a
  ///   missing or mistyped field (named by its path), ``LearningError/unsupportedModelFile(detail:)``
  ///   for another format or a newer version.
  public init(json data: Data) throws(LearningError) {
    let decoder = JSONDecoder()
    decoder.nonConformingFloatDecodingStrategy = .convertFromString(
      positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    struct Header: Decodable {
      var format: String?
      var version: Int?
    }
    let header: Header
    do {
      header = try decoder.decode(Header.self, from: data)
    } catch {
      throw .corruptModelFile(detail: Self.describe(error))
    }
    guard header.format == Self.formatName else {
      throw .unsupportedModelFile(
        detail:
          "format is \(header.format.map { "'\($0)'" } ?? "missing"), expected '\(Self.formatName)'"
      )
    }
    guard let version = header.version, version == Self.currentVersion else {
      throw .unsupportedModelFile(
        detail:
          "version \(header.version.map(String.init) ?? "missing"); this library reads version \(Self.currentVersion)"
      )
    }
    do {
      self = try decoder.decode(ModelFile.self, from: data)
    } catch {
      throw .corruptModelFile(detail: Self.describe(error))
    }
  }

  /// A message naming what is wrong and where.
  static func describe(_ error: any Error) -> String {
    func path(_ context: DecodingError.Context) -> String {
      let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
      return keys.isEmpty ? "the top level" : "'" + keys.joined(separator: ".") + "'"
    }
    switch error as? DecodingError {
    case .keyNotFound(let key, let context)?:
      let parent = context.codingPath.isEmpty ? "" : " in \(path(context))"
      return "missing field '\(key.stringValue)'\(parent)"
    case .typeMismatch(let type, let context)?:
      return "field \(path(context)) is not a \(type)"
    case .valueNotFound(let type, let context)?:
      return "field \(path(context)) is null, expected a \(type)"
    case .dataCorrupted(let context)?:
      if context.codingPath.isEmpty {
        return "not valid JSON (truncated or damaged): \(context.debugDescription)"
      }
      return "field \(path(context)) is invalid: \(context.debugDescription)"
    default:
      return "\(error)"
    }
  }

  // MARK: - Model

  /// The model this file describes.
  /// - Throws: ``LearningError/unsupportedModelFile(detail:)`` for an unknown potential or mass
  ///   kind or a missing section; ``LearningError/dimensionMismatch(name:expected:actual:)``
  ///   when parameter counts or dimensions disagree with the architecture.
  public func model() throws(LearningError) -> any RolloutModel {
    guard dimension >= 1 else {
      throw .invalidConfiguration(
        name: "dimension", value: "\(dimension)", requirement: "must be at least 1")
    }
    switch kind {
    case .residualNetwork, .feedForward:
      guard let network else {
        throw .unsupportedModelFile(detail: "\(kind.rawValue) model has no 'network'")
      }
      // (q, q̇) or (cos q, sin q, q̇).
      let angular = network.shape.inputDimension == 3 * dimension
      guard network.shape.inputDimension == 2 * dimension || angular else {
        throw .dimensionMismatch(
          name: "network input", expected: 2 * dimension, actual: network.shape.inputDimension)
      }
      return try BaselineModel(
        network: MultilayerPerceptron(shape: network.shape, parameters: network.parameters),
        architecture: kind == .residualNetwork ? .residual : .feedForward, stepSize: stepSize,
        angularPositions: angular)
    case .vinSO3:
      guard let potential, let mass, mass.kind == "inertia-cholesky" else {
        throw .unsupportedModelFile(
          detail: "vin-so3 model needs a potential and an 'inertia-cholesky' mass")
      }
      let epsilon = mass.epsilon ?? 1e-6
      switch (potential.kind, potential.shape) {
      case ("gravity", _):
        return try VINSO3(
          stepSize: stepSize, epsilon: epsilon, parameters: mass.parameters + potential.parameters)
      case ("mlp", let shape?):
        return try VINSO3(
          stepSize: stepSize,
          network: MultilayerPerceptron(shape: shape, parameters: potential.parameters),
          epsilon: epsilon, parameters: mass.parameters + potential.parameters)
      default:
        throw .unsupportedModelFile(
          detail:
            "vin-so3 potential must be 'gravity' or 'mlp' with a shape, got '\(potential.kind)'")
      }
    case .vinMq:
      guard let potential else {
        throw .unsupportedModelFile(detail: "vin-mq model has no 'potential'")
      }
      guard let mass, mass.kind == "configuration", let width = mass.width,
        let activation = mass.activation
      else {
        throw .unsupportedModelFile(
          detail: "vin-mq model needs a 'configuration' mass with 'width' and 'activation'")
      }
      let matrix = try ConfigurationMassMatrix(
        dimension: dimension, width: width, activation: activation,
        epsilon: mass.epsilon ?? 1e-4, parameters: mass.parameters)
      func build<Potential: LearnablePotential>(_ potential: Potential) throws(LearningError)
        -> any RolloutModel
      {
        try VINMq(potential: potential, mass: matrix, stepSize: stepSize)
      }
      return try build(makePotential(potential))
    case .vinVelocityVerlet, .vinStormerVerlet, .vinSO2:
      guard let potential else {
        throw .unsupportedModelFile(detail: "\(kind.rawValue) model has no 'potential'")
      }
      guard let mass else {
        throw .unsupportedModelFile(detail: "\(kind.rawValue) model has no 'mass'")
      }
      return try Self.variationalModel(
        kind: kind, potential: makePotential(potential), mass: makeMass(mass), stepSize: stepSize)
    }
  }

  private static func variationalModel<Potential: LearnablePotential>(
    kind: ModelKind, potential: Potential, mass: any LearnableMassMatrix, stepSize: Double
  ) throws(LearningError) -> any RolloutModel {
    func build<Mass: LearnableMassMatrix>(_ mass: Mass) throws(LearningError) -> any RolloutModel {
      switch kind {
      case .vinVelocityVerlet:
        try VINVelocityVerlet(potential: potential, mass: mass, stepSize: stepSize)
      case .vinSO2: try VINSO2(potential: potential, mass: mass, stepSize: stepSize)
      default: try VINStormerVerlet(potential: potential, mass: mass, stepSize: stepSize)
      }
    }
    return try build(mass)
  }

  private func makePotential(_ record: PotentialRecord) throws(LearningError)
    -> any LearnablePotential
  {
    func scalar(_ name: String) throws(LearningError) -> Double {
      guard record.parameters.count == 1 else {
        throw .dimensionMismatch(
          name: "\(name) potential parameters", expected: 1, actual: record.parameters.count)
      }
      return record.parameters[0]
    }
    switch record.kind {
    case "mlp":
      guard let shape = record.shape else {
        throw .unsupportedModelFile(detail: "mlp potential has no 'shape'")
      }
      guard shape.inputDimension == dimension else {
        throw .dimensionMismatch(
          name: "potential network input", expected: dimension, actual: shape.inputDimension)
      }
      return try MLPPotential(
        network: MultilayerPerceptron(shape: shape, parameters: record.parameters))
    case "angular-mlp":
      guard let shape = record.shape else {
        throw .unsupportedModelFile(detail: "angular-mlp potential has no 'shape'")
      }
      guard shape.inputDimension == 2 * dimension else {
        throw .dimensionMismatch(
          name: "angular potential network input", expected: 2 * dimension,
          actual: shape.inputDimension)
      }
      return try AngularMLPPotential(
        network: MultilayerPerceptron(shape: shape, parameters: record.parameters))
    case "quadratic":
      return QuadraticPotential(dimension: dimension, stiffness: try scalar("quadratic"))
    case "cosine":
      return CosinePotential(dimension: dimension, amplitude: try scalar("cosine"))
    default:
      throw .unsupportedModelFile(detail: "unknown potential kind '\(record.kind)'")
    }
  }

  private func makeMass(_ record: MassRecord) throws(LearningError) -> any LearnableMassMatrix {
    switch record.kind {
    case "identity":
      guard record.parameters.isEmpty else {
        throw .dimensionMismatch(
          name: "identity mass parameters", expected: 0, actual: record.parameters.count)
      }
      return IdentityMassMatrix(dimension: dimension)
    case "constant":
      return try ConstantMassMatrix(
        dimension: dimension, parameters: record.parameters, epsilon: record.epsilon ?? 1e-4)
    default:
      throw .unsupportedModelFile(detail: "unknown mass matrix kind '\(record.kind)'")
    }
  }
}

/// The VINs, as seen by the file format.
protocol VariationalModel {
  func potentialRecord() throws(LearningError) -> ModelFile.PotentialRecord
  func massRecord() throws(LearningError) -> ModelFile.MassRecord
}

extension VINVelocityVerlet: VariationalModel {
  func potentialRecord() throws(LearningError) -> ModelFile.PotentialRecord {
    try record(of: potential)
  }
  func massRecord() throws(LearningError) -> ModelFile.MassRecord { try record(of: mass) }
}

extension VINStormerVerlet: VariationalModel {
  func potentialRecord() throws(LearningError) -> ModelFile.PotentialRecord {
    try record(of: potential)
  }
  func massRecord() throws(LearningError) -> ModelFile.MassRecord { try record(of: mass) }
}

extension VINSO2: VariationalModel {
  func potentialRecord() throws(LearningError) -> ModelFile.PotentialRecord {
    try record(of: potential)
  }
  func massRecord() throws(LearningError) -> ModelFile.MassRecord { try record(of: mass) }
}

extension VINMq: VariationalModel {
  func potentialRecord() throws(LearningError) -> ModelFile.PotentialRecord {
    try record(of: potential)
  }
  func massRecord() throws(LearningError) -> ModelFile.MassRecord {
    let mass = self.mass
    return .init(
      kind: "configuration", epsilon: mass.epsilon, width: mass.width,
      activation: mass.activation, parameters: mass.parameters)
  }
}

private func record(of potential: some LearnablePotential) throws(LearningError)
  -> ModelFile.PotentialRecord
{
  switch potential {
  case let mlp as MLPPotential:
    return .init(kind: "mlp", shape: mlp.network.shape, parameters: mlp.flatParameters)
  case let angular as AngularMLPPotential:
    return .init(
      kind: "angular-mlp", shape: angular.network.shape, parameters: angular.flatParameters)
  case let quadratic as QuadraticPotential:
    return .init(kind: "quadratic", shape: nil, parameters: quadratic.flatParameters)
  case let cosine as CosinePotential:
    return .init(kind: "cosine", shape: nil, parameters: cosine.flatParameters)
  default:
    throw .unsupportedModelFile(detail: "cannot save a potential of type \(type(of: potential))")
  }
}

private func record(of mass: some LearnableMassMatrix) throws(LearningError) -> ModelFile.MassRecord
{
  switch mass {
  case is IdentityMassMatrix:
    return .init(kind: "identity", epsilon: nil, parameters: [])
  case let constant as ConstantMassMatrix:
    return .init(kind: "constant", epsilon: constant.epsilon, parameters: constant.flatParameters)
  default:
    throw .unsupportedModelFile(detail: "cannot save a mass matrix of type \(type(of: mass))")
  }
}
