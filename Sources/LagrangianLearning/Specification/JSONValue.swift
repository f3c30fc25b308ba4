import Foundation

/// A JSON value: how a ``RegisteredComponent`` keeps the configuration of a user-defined
/// potential or mass matrix, whose type the library does not know, inside a
/// ``ModelSpecification`` (and so inside a model file) until a ``ComponentRegistry`` decodes it.
public enum JSONValue: Codable, Hashable, Sendable {
  case null
  case bool(Bool)
  case number(Double)
  case string(String)
  case array([JSONValue])
  case object([String: JSONValue])

  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    if container.decodeNil() {
      self = .null
    } else if let value = try? container.decode(Bool.self) {
      self = .bool(value)
    } else if let value = try? container.decode(Double.self) {
      self = .number(value)
    } else if let value = try? container.decode(String.self) {
      self = .string(value)
    } else if let value = try? container.decode([JSONValue].self) {
      self = .array(value)
    } else {
      self = .object(try container.decode([String: JSONValue].self))
    }
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    switch self {
    case .null: try container.encodeNil()
    case .bool(let value): try container.encode(value)
    case .number(let value): try container.encode(value)
    case .string(let value): try container.encode(value)
    case .array(let value): try container.encode(value)
    case .object(let value): try container.encode(value)
    }
  }

  /// The JSON form of `value`.
  /// - Throws: ``LearningError/unsupportedModelFile(detail:)`` when it cannot be encoded.
  public init(encoding value: some Encodable) throws(LearningError) {
    do {
      self = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value))
    } catch {
      throw .unsupportedModelFile(detail: "cannot encode \(type(of: value)): \(error)")
    }
  }

  /// The value of type `T` this JSON describes.
  /// - Throws: ``LearningError/corruptModelFile(detail:)`` naming `field` when it does not.
  public func decode<T: Decodable>(_ type: T.Type, field: String) throws(LearningError) -> T {
    do {
      return try JSONDecoder().decode(T.self, from: JSONEncoder().encode(self))
    } catch {
      throw .corruptModelFile(detail: "\(field): \(ModelFile.describe(error))")
    }
  }
}
