import Foundation

/// The versioned JSON form of a trained model: its ``ModelSpecification`` (kind, dimension,
/// step size, components), its ``ModelParameters`` and the training summary.
///
/// ```json
/// { "format": "vinkit-model", "version": 2, "kind": "vin-vv", "dimension": 1,
///   "stepSize": 0.1,
///   "potential": { "kind": "mlp", "width": 100, "depth": 1, "activation": "tanh" },
///   "mass": { "kind": "constant", "epsilon": 0.0001 },
///   "parameters": { "potential": [ … ], "mass": [ … ] },
///   "training": { … } }
/// ```
///
/// A file is untrusted input: reading it checks the specification and the parameters exactly
/// as a model built in Swift is checked (``ModelSpecification/validate(_:)``: sizes within
/// ``ModelLimits``, parameter counts, finite parameters, a sensible step size), so a damaged
/// or hostile file is refused with a typed error and never crashes, hangs or exhausts memory.
/// Version 1 files (written before the specification existed) are read and converted.
///
/// Numbers are written in their shortest round-trip form, so a saved and reloaded model
/// forecasts bit for bit the same; non-finite numbers in the summary are written as strings
/// ("nan", "inf", "-inf"). Writing the file atomically is the caller's job.
public struct ModelFile: Equatable, Sendable {
  /// The version this library writes.
  public static let currentVersion = 2
  /// The versions this library reads.
  public static let readableVersions = 1...2
  /// The `format` tag of a VINKit model file.
  public static let formatName = "vinkit-model"

  public var specification: ModelSpecification
  public var parameters: ModelParameters
  public var training: TrainingSummary?

  /// A file of a specification and its parameters.
  /// - Throws: as ``ModelSpecification/validate(_:)``.
  public init(
    specification: ModelSpecification, parameters: ModelParameters,
    training: TrainingSummary? = nil
  ) throws(LearningError) {
    try specification.validate(parameters)
    self.specification = specification
    self.parameters = parameters
    self.training = training
  }

  /// The file of `model`.
  /// - Throws: ``LearningError/unsupportedModelFile(detail:)`` for a model that is not a
  ///   ``SpecifiedModel`` (one built from a potential or mass matrix that is neither built in
  ///   nor a ``RegisteredPotential`` / ``RegisteredMassMatrix``).
  public init(model: some RolloutModel, training: TrainingSummary? = nil) throws(LearningError) {
    guard let specified = model as? any SpecifiedModel else {
      throw .unsupportedModelFile(
        detail:
          "cannot save a model of type \(type(of: model)): its potential and mass matrix must be built in or registered (RegisteredPotential, RegisteredMassMatrix)"
      )
    }
    try self.init(
      specification: specified.specification, parameters: specified.componentParameters,
      training: training)
  }

  /// The model this file describes, its registered components built by `registry`.
  /// - Throws: as ``ModelSpecification/makeModel(parameters:registry:)``.
  public func model(registry: ComponentRegistry = ComponentRegistry()) throws(LearningError)
    -> any SpecifiedModel
  {
    try specification.makeModel(parameters: parameters, registry: registry)
  }

  // MARK: - JSON

  enum CodingKeys: String, CodingKey {
    case format, version, parameters, training
  }

  /// The JSON text (UTF-8), keys sorted.
  public func encoded() throws(LearningError) -> Data {
    struct Document: Encodable {
      let file: ModelFile
      func encode(to encoder: any Encoder) throws {
        try file.specification.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(ModelFile.formatName, forKey: .format)
        try container.encode(ModelFile.currentVersion, forKey: .version)
        try container.encode(file.parameters, forKey: .parameters)
        try container.encodeIfPresent(file.training, forKey: .training)
      }
    }
    do {
      return try Self.jsonEncoder().encode(Document(file: self))
    } catch {
      throw .corruptModelFile(detail: "cannot encode: \(error)")
    }
  }

  /// A model file read from JSON, checked as ``init(specification:parameters:training:)``.
  /// - Throws: ``LearningError/corruptModelFile(detail:)`` for truncated or malformed JSON or a
  ///   missing or mistyped field (named by its path), ``LearningError/unsupportedModelFile(detail:)``
  ///   for another format, a version outside ``readableVersions`` or an unknown component kind;
  ///   the errors of ``ModelSpecification/validate(_:)`` for sizes, counts or values out of
  ///   range.
  public init(json data: Data) throws(LearningError) {
    struct Body: Decodable {
      var specification: ModelSpecification
      var parameters: ModelParameters
      var training: TrainingSummary?
      init(from decoder: any Decoder) throws {
        specification = try ModelSpecification(from: decoder)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        parameters = try container.decode(ModelParameters.self, forKey: .parameters)
        training = try container.decodeIfPresent(TrainingSummary.self, forKey: .training)
      }
    }
    let header = try Self.decodeJSON(Header.self, from: data)
    guard header.format == Self.formatName else {
      throw .unsupportedModelFile(
        detail:
          "format is \(header.format.map { "'\($0)'" } ?? "missing"), expected '\(Self.formatName)'"
      )
    }
    switch header.version {
    case 2?:
      let body = try Self.decodeJSON(Body.self, from: data)
      try self.init(
        specification: body.specification, parameters: body.parameters, training: body.training)
    case 1?:
      self = try Self.decodeJSON(VersionOneModelFile.self, from: data).converted()
    default:
      throw .unsupportedModelFile(
        detail:
          "version \(header.version.map(String.init) ?? "missing"); this library reads versions \(Self.readableVersions.lowerBound) to \(Self.readableVersions.upperBound)"
      )
    }
  }

  /// The JSON encoder of model files (``PixelModelFile`` too): keys sorted, pretty printed, and
  /// infinities and NaN (of a diverged training summary) as the strings "inf", "-inf", "nan".
  static func jsonEncoder() -> JSONEncoder {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(
      positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return encoder
  }

  /// The format and version fields that every model file (``PixelModelFile`` too) starts with.
  struct Header: Decodable {
    var format: String?
    var version: Int?
  }

  /// `type` decoded from a model file's JSON as ``jsonEncoder()`` writes it (infinities and
  /// NaN as strings) (``PixelModelFile`` too).
  /// - Throws: the ``LearningError`` a component's decoder throws;
  ///   ``LearningError/corruptModelFile(detail:)`` naming what is wrong and where otherwise.
  static func decodeJSON<T: Decodable>(_ type: T.Type, from data: Data) throws(LearningError)
    -> T
  {
    let decoder = JSONDecoder()
    decoder.nonConformingFloatDecodingStrategy = .convertFromString(
      positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    do {
      return try decoder.decode(T.self, from: data)
    } catch let error as LearningError {
      throw error
    } catch {
      throw .corruptModelFile(detail: describe(error))
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
}
