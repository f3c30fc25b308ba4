/// The bounds every ``ModelSpecification`` is checked against, whether it is built in Swift or
/// read from a model file: a file is untrusted input, and a size that passes these checks is
/// one whose parameters can be allocated and whose forecast step finishes (a width of
/// `Int.max`, a dimension of 2⁶² or a depth of 10⁹ are refused with a typed error rather than
/// overflowing, exhausting memory or hanging).
public enum ModelLimits {
  /// The largest configuration dimension n: a VIN's mass matrix and its inverse are dense
  /// n×n (8 MB each at this bound), even when M = I has no parameters.
  public static let maximumDimension = 1_000
  /// The largest dimension of a VIN-mq: its mass network has n(n+1)/2 outputs and one step
  /// evaluates the n³ entries of `∂M/∂q`.
  public static let maximumConfigurationMassDimension = 100
  /// The widest hidden layer.
  public static let maximumWidth = 1_000_000
  /// The deepest network.
  public static let maximumDepth = 1_000
  /// The most parameters of one component (2²⁷, 1 GiB of `Double`s).
  public static let maximumParameterCount = 1 << 27
  /// The largest step size h: `t = k h` and the `h²` terms of a step stay finite for any step
  /// count, and no trajectory is sampled this coarsely.
  public static let maximumStepSize = 1e6

  static func check(_ value: Int, in range: ClosedRange<Int>, field: String)
    throws(LearningError)
  {
    guard range.contains(value) else {
      throw .invalidConfiguration(
        name: field, value: "\(value)",
        requirement: "must be in \(range.lowerBound)…\(range.upperBound)")
    }
  }

  static func checkParameterCount(_ count: Int, field: String) throws(LearningError) {
    guard count <= maximumParameterCount else {
      throw .invalidConfiguration(
        name: field, value: "\(count) parameters",
        requirement: "must have at most \(maximumParameterCount) parameters")
    }
  }

  /// `a b`, or `Int.max` when it overflows (every caller compares the result to a limit).
  static func product(_ a: Int, _ b: Int) -> Int {
    let (value, overflow) = a.multipliedReportingOverflow(by: b)
    return overflow ? .max : value
  }

  /// The sum of non-negative terms, refused as too many parameters when it overflows.
  static func sum(_ terms: [Int], field: String) throws(LearningError) -> Int {
    var total = 0
    for term in terms {
      let (value, overflow) = total.addingReportingOverflow(term)
      guard !overflow else {
        throw .invalidConfiguration(
          name: field, value: "more than \(Int.max) parameters",
          requirement: "must have at most \(maximumParameterCount) parameters")
      }
      total = value
    }
    return total
  }

  /// h positive, finite and at most ``maximumStepSize``.
  static func checkStepSize(_ h: Double, field: String = "stepSize") throws(LearningError) {
    guard h.isFinite, h > 0 else {
      throw .invalidConfiguration(
        name: field, value: "\(h)", requirement: "must be positive and finite")
    }
    guard h <= maximumStepSize else {
      throw .invalidConfiguration(
        name: field, value: "\(h)",
        requirement:
          "must be at most \(maximumStepSize): t = k h and the h² terms of a step overflow, and no trajectory is sampled this coarsely"
      )
    }
  }

  /// Every parameter finite.
  static func checkFinite(_ values: [Double], field: String) throws(LearningError) {
    if let index = values.firstIndex(where: { !$0.isFinite }) {
      throw .invalidConfiguration(
        name: "\(field)[\(index)]", value: "\(values[index])", requirement: "must be finite")
    }
  }

  /// A mass matrix's ε: positive and finite (and below `upper` where given).
  static func checkEpsilon(_ epsilon: Double, below upper: Double? = nil, field: String)
    throws(LearningError)
  {
    guard epsilon.isFinite, epsilon > 0, epsilon < (upper ?? .infinity) else {
      throw .invalidConfiguration(
        name: field, value: "\(epsilon)",
        requirement: upper.map { "must be in (0, \($0))" } ?? "must be positive and finite")
    }
  }
}
