import Foundation

/// The elementwise nonlinearity σ of a hidden layer, with the first and second derivatives
/// that the analytic input gradient and its pullback need.
public enum Activation: String, Codable, Sendable, CaseIterable {
  /// `σ(z) = tanh z`, `σ′ = 1 − σ²`, `σ″ = −2σ(1 − σ²)`.
  case tanh
  /// `σ(z) = log(1 + eᶻ)`, `σ′ = 1/(1 + e⁻ᶻ)`, `σ″ = σ′(1 − σ′)`.
  case softplus

  /// `(σ(z), σ′(z), σ″(z))`.
  @inlinable
  public func evaluate(_ z: Double) -> (value: Double, first: Double, second: Double) {
    switch self {
    case .tanh:
      let t = Foundation.tanh(z)
      let d = 1 - t * t
      return (t, d, -2 * t * d)
    case .softplus:
      let s = Activation.logistic(z)
      return (Activation.softplus(z), s, s * (1 - s))
    }
  }

  /// `log(1 + eᶻ)` without overflow.
  @inlinable
  public static func softplus(_ z: Double) -> Double {
    (z > 0 ? z : 0) + log1p(exp(-Swift.abs(z)))
  }

  /// The logistic function `1/(1 + e⁻ᶻ)`, the derivative of ``softplus(_:)``.
  @inlinable
  public static func logistic(_ z: Double) -> Double {
    z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z))
  }
}
