/// A piecewise-constant input signal given by samples: `u(t) = u_j` for `t_j ≤ t < t_{j+1}`,
/// defined on `[t_0, t_J]` (the last sample's value at `t_J` itself).
///
/// A forced integration samples it at the start of each step, `u_k = u(t_k)`, and holds that
/// value over the step (zero-order hold, as a digital controller applies an input; see
/// ``ForcedIntegrator/input``). Samples may be at the steps' times or coarser; a sample within
/// ``timeTolerance`` of the step size before a step's start counts as at it, so that times
/// rounded when written (`0.3` for `3 × 0.1 = 0.30000000000000004`) still select their step.
public struct ZeroOrderHold: Hashable, Sendable {
  /// The sample times `t_0 < t_1 < … < t_J`.
  public let times: [Double]
  /// The samples `u_j`, each of ``inputCount`` entries.
  public let values: [[Double]]
  /// The number m of inputs.
  public let inputCount: Int

  /// How far before a step's start time, relative to the step size, a sample still counts as at
  /// it: `u_k = u(t_k + 10⁻⁶ h)`.
  public static let timeTolerance = 1e-6

  /// - Throws: ``IntegrationError/wrongDimension(name:expected:actual:)`` unless there are as
  ///   many samples as times, at least one, each of the same length;
  ///   ``IntegrationError/nonFiniteInput(name:index:value:)`` for a NaN or infinite time or
  ///   value; ``IntegrationError/invalidParameter(name:value:requirement:)`` for times that do
  ///   not increase strictly.
  public init(times: [Double], values: [[Double]]) throws(IntegrationError) {
    guard !times.isEmpty else {
      throw .wrongDimension(name: "input sample times", expected: 1, actual: 0)
    }
    guard values.count == times.count else {
      throw .wrongDimension(name: "input samples", expected: times.count, actual: values.count)
    }
    try IntegrationError.check(times, name: "input sample times", dimension: times.count)
    let m = values[0].count
    for (j, value) in values.enumerated() {
      try IntegrationError.check(value, name: "input u at t = \(times[j])", dimension: m)
      if j > 0, !(times[j] > times[j - 1]) {
        throw .invalidParameter(
          name: "input sample time t[\(j)]", value: times[j],
          requirement: "must be greater than the time before it, \(times[j - 1])")
      }
    }
    self.times = times
    self.values = values
    inputCount = m
  }

  /// `u(t)`: the last sample at or before t, or `nil` before the first sample.
  public func value(at t: Double) -> [Double]? {
    // The last j with times[j] ≤ t, by bisection.
    guard let first = times.first, first <= t else { return nil }
    var (low, high) = (0, times.count)
    while high - low > 1 {
      let middle = (low + high) / 2
      if times[middle] <= t { low = middle } else { high = middle }
    }
    return values[low]
  }

  /// `u_k = u(k h)` for the step (or output row) k of a run with step size h: the sample at
  /// `k h + 10⁻⁶ h`.
  public func input(atStep k: Int, stepSize h: Double) -> [Double]? {
    value(at: Double(k) * h + Self.timeTolerance * h)
  }

  /// Throws unless the samples cover the times `0, h, …, N h` of a run of N steps:
  /// `t_0 ≤ 10⁻⁶ h` and `t_J ≥ N h − 10⁻⁶ h`.
  /// - Throws: ``IntegrationError/inputsDoNotCover(first:last:start:end:)``.
  public func validateCoverage(steps: Int, stepSize h: Double) throws(IntegrationError) {
    let end = Double(steps) * h
    let slack = Self.timeTolerance * h
    guard let first = times.first, let last = times.last, first <= slack, last >= end - slack
    else {
      throw .inputsDoNotCover(
        first: times.first ?? .nan, last: times.last ?? .nan, start: 0, end: end)
    }
  }
}
