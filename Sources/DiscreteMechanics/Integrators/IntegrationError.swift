/// Why an integration could not proceed. Every case names the offending value.
public indirect enum IntegrationError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The step size is zero, negative or not finite.
  case invalidStepSize(Double)
  /// A step count or stride is negative.
  case invalidStepCount(Int)
  /// A vector has the wrong number of entries.
  case wrongDimension(name: String, expected: Int, actual: Int)
  /// An input entry is NaN or infinite.
  case nonFiniteInput(name: String, index: Int, value: Double)
  /// The state became NaN or infinite.
  case nonFiniteState(step: Int?)
  /// The implicit equation of a step could not be solved.
  case rootFindingFailed(step: Int?, RootFindingError)
  /// The step is too large for the method (e.g. SO(2) LGVI needs |sin Δ| ≤ 1).
  case stepTooLarge(step: Int?, detail: String)
  /// A mass matrix is singular or not positive definite at a visited configuration.
  case singularMassMatrix(step: Int?)
  /// An integrator was asked to advance a system it does not apply to.
  case notApplicable(integrator: String, system: String, reason: String)
  /// A physical parameter is invalid.
  case invalidParameter(name: String, value: Double, requirement: String)
  /// Input samples given for `[first, last]` do not cover the run's times `[start, end]`.
  case inputsDoNotCover(first: Double, last: Double, start: Double, end: Double)

  /// The same error with the failing step number filled in.
  public func at(step k: Int) -> IntegrationError {
    switch self {
    case .nonFiniteState(nil): return .nonFiniteState(step: k)
    case .rootFindingFailed(nil, let e): return .rootFindingFailed(step: k, e)
    case .stepTooLarge(nil, let d): return .stepTooLarge(step: k, detail: d)
    case .singularMassMatrix(nil): return .singularMassMatrix(step: k)
    default: return self
    }
  }

  public var description: String {
    func atStep(_ k: Int?) -> String { k.map { " at step \($0)" } ?? "" }
    switch self {
    case .invalidStepSize(let h): return "step size must be positive and finite, got \(h)"
    case .invalidStepCount(let n): return "step count must be non-negative, got \(n)"
    case .wrongDimension(let name, let e, let a): return "\(name) must have \(e) entries, got \(a)"
    case .nonFiniteInput(let name, let i, let v):
      return "\(name)[\(i)] must be finite, got \(v)"
    case .nonFiniteState(let k): return "state became non-finite\(atStep(k))"
    case .rootFindingFailed(let k, let e):
      // Newton from the previous step's state fails when the step is too large for the
      // implicit equation to have a nearby solution.
      return "implicit step failed\(atStep(k)): \(e); try a smaller step size"
    case .stepTooLarge(let k, let d): return "step too large\(atStep(k)): \(d)"
    case .singularMassMatrix(let k): return "mass matrix is singular\(atStep(k))"
    case .notApplicable(let i, let s, let r):
      return "integrator '\(i)' does not apply to system '\(s)': \(r)"
    case .invalidParameter(let name, let value, let requirement):
      return "parameter \(name) = \(value) is invalid: \(requirement)"
    case .inputsDoNotCover(let first, let last, let start, let end):
      return
        "the inputs are given from t = \(first) to t = \(last), which does not cover the run from t = \(start) to t = \(end)"
    }
  }

  /// Throws unless `values` has `dimension` finite entries.
  public static func check(_ values: [Double], name: String, dimension: Int)
    throws(IntegrationError)
  {
    guard values.count == dimension else {
      throw .wrongDimension(name: name, expected: dimension, actual: values.count)
    }
    for (i, v) in values.enumerated() where !v.isFinite {
      throw .nonFiniteInput(name: name, index: i, value: v)
    }
  }
}
