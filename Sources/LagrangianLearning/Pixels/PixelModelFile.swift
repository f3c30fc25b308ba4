import Foundation

/// The versioned JSON form of a trained ``PixelModel``: its ``PixelModelSpecification`` (the
/// latent dynamics as a ``ModelSpecification``, exactly as a ``ModelFile`` writes one), its
/// ``PixelModelParameters`` and the training summary.
///
/// ```json
/// { "format": "vinkit-pixel-model", "version": 1,
///   "specification": { "frameSize": 28, "latentDimension": 1, "context": 10,
///     "encoderWidth": 1000, …, "dynamics": { "kind": "vin-so2", "dimension": 1, … } },
///   "parameters": { "encoder": [ … ], "recurrent": [], "decoder": [ … ],
///     "dynamics": { "potential": [ … ], "mass": [ … ] } },
///   "training": { … } }
/// ```
///
/// Reading a file checks it as a model built in Swift is checked
/// (``PixelModelSpecification/validate()``, parameter counts, finite values), so a damaged
/// file is refused with a typed error. Numbers are written in their shortest round-trip form:
/// a saved and reloaded model forecasts bit for bit the same frames.
public struct PixelModelFile: Equatable, Sendable {
  /// The version this library writes and reads.
  public static let currentVersion = 1
  /// The `format` tag of a pixel model file.
  public static let formatName = "vinkit-pixel-model"

  public var specification: PixelModelSpecification
  public var parameters: PixelModelParameters
  public var training: PixelTrainingSummary?

  /// The file of `model`.
  /// - Throws: as ``ModelFile/init(model:training:)`` for latent dynamics that cannot be saved.
  public init(model: PixelModel, training: PixelTrainingSummary? = nil) throws(LearningError) {
    if let dynamics = model.dynamics { _ = try dynamics.specification }
    specification = model.specification
    parameters = model.parameters
    self.training = training
  }

  /// The model this file describes, its registered components built by `registry`.
  /// - Throws: as ``PixelModel/init(specification:parameters:registry:)``.
  public func model(registry: ComponentRegistry = ComponentRegistry()) throws(LearningError)
    -> PixelModel
  {
    try PixelModel(specification: specification, parameters: parameters, registry: registry)
  }

  enum CodingKeys: String, CodingKey {
    case format, version, specification, parameters, training
  }

  /// The JSON text (UTF-8), keys sorted.
  public func encoded() throws(LearningError) -> Data {
    struct Document: Encodable {
      let file: PixelModelFile
      func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(PixelModelFile.formatName, forKey: .format)
        try container.encode(PixelModelFile.currentVersion, forKey: .version)
        try container.encode(file.specification, forKey: .specification)
        try container.encode(file.parameters, forKey: .parameters)
        try container.encodeIfPresent(file.training, forKey: .training)
      }
    }
    do {
      return try ModelFile.jsonEncoder().encode(Document(file: self))
    } catch {
      throw .corruptModelFile(detail: "cannot encode: \(error)")
    }
  }

  /// A pixel model file read from JSON and checked by building its model.
  /// - Throws: ``LearningError/corruptModelFile(detail:)`` for truncated or malformed JSON or a
  ///   missing or mistyped field (named by its path); ``LearningError/unsupportedModelFile(detail:)``
  ///   for another format (a ``ModelFile`` of a state-space model says so) or version; the
  ///   errors of ``PixelModel/init(specification:parameters:registry:)`` for sizes, counts or
  ///   values out of range.
  public init(json data: Data, registry: ComponentRegistry = ComponentRegistry())
    throws(LearningError)
  {
    struct Body: Decodable {
      var specification: PixelModelSpecification
      var parameters: PixelModelParameters
      var training: PixelTrainingSummary?
    }
    let header = try ModelFile.decodeJSON(ModelFile.Header.self, from: data)
    guard header.format == Self.formatName else {
      let hint =
        header.format == ModelFile.formatName
        ? " (a model of trajectories, not of frames)" : ""
      throw .unsupportedModelFile(
        detail:
          "format is \(header.format.map { "'\($0)'" } ?? "missing")\(hint), expected '\(Self.formatName)'"
      )
    }
    guard header.version == Self.currentVersion else {
      throw .unsupportedModelFile(
        detail:
          "version \(header.version.map(String.init) ?? "missing"); this library reads version \(Self.currentVersion)"
      )
    }
    let body = try ModelFile.decodeJSON(Body.self, from: data)
    _ = try PixelModel(
      specification: body.specification, parameters: body.parameters, registry: registry)
    specification = body.specification
    parameters = body.parameters
    training = body.training
  }
}
