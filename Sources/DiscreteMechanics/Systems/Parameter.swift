/// Validation of physical parameters, shared by the built-in systems.
enum Parameter {
  /// Throws unless `value` is finite and positive.
  static func positive(_ value: Double, _ name: String) throws(IntegrationError) -> Double {
    guard value.isFinite, value > 0 else {
      throw .invalidParameter(name: name, value: value, requirement: "must be positive and finite")
    }
    return value
  }

  /// Throws unless `value` is finite.
  static func finite(_ value: Double, _ name: String) throws(IntegrationError) -> Double {
    guard value.isFinite else {
      throw .invalidParameter(name: name, value: value, requirement: "must be finite")
    }
    return value
  }

  /// Throws unless `value` is finite and non-negative.
  static func nonNegative(_ value: Double, _ name: String) throws(IntegrationError) -> Double {
    guard value.isFinite, value >= 0 else {
      throw .invalidParameter(
        name: name, value: value, requirement: "must be non-negative and finite")
    }
    return value
  }
}
