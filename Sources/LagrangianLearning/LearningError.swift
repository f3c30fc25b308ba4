import DiscreteMechanics

/// Why a model could not be built, trained, saved or loaded. Every case names the bad value.
public enum LearningError: Error, Equatable, Sendable, CustomStringConvertible {
  /// A setting is out of range.
  case invalidConfiguration(name: String, value: String, requirement: String)
  /// A vector, parameter list or data column has the wrong size.
  case dimensionMismatch(name: String, expected: Int, actual: Int)
  /// A trajectory is too short for the requested windows.
  case notEnoughData(detail: String)
  /// An observation is NaN or infinite.
  case nonFiniteObservation(trajectory: Int, sample: Int, value: Double)
  /// The model needs velocities and the data have none.
  case missingVelocities(model: String)
  /// The samples are not spaced by the model's step size.
  case stepSizeMismatch(trajectory: Int, expected: Double, actual: Double)
  /// A model file could not be read: truncated, not JSON, or missing a field.
  case corruptModelFile(detail: String)
  /// A model file has a version or kind this library does not know.
  case unsupportedModelFile(detail: String)
  /// A trajectory CSV file is malformed: `line` is 1-based (the header is line 1).
  case invalidCSV(line: Int, column: String?, detail: String)
  /// Stepping a learned model failed (e.g. its state became non-finite).
  case integrationFailed(IntegrationError)

  public var description: String {
    switch self {
    case .invalidConfiguration(let name, let value, let requirement):
      return "\(name) = \(value) is invalid: \(requirement)"
    case .dimensionMismatch(let name, let expected, let actual):
      return "\(name) must have \(expected) entries, got \(actual)"
    case .notEnoughData(let detail): return "not enough data: \(detail)"
    case .nonFiniteObservation(let t, let k, let v):
      return "trajectory \(t), sample \(k): observation \(v) is not finite"
    case .missingVelocities(let model): return "model \(model) needs velocity columns in the data"
    case .stepSizeMismatch(let t, let expected, let actual):
      return "trajectory \(t) is sampled every \(actual), but the model step size is \(expected)"
    case .corruptModelFile(let detail): return "corrupt model file: \(detail)"
    case .unsupportedModelFile(let detail): return "unsupported model file: \(detail)"
    case .invalidCSV(let line, let column, let detail):
      return "CSV line \(line)\(column.map { ", column '\($0)'" } ?? ""): \(detail)"
    case .integrationFailed(let error): return "forecast failed: \(error)"
    }
  }
}
