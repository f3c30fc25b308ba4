import Foundation

/// The elementwise nonlinearity σ of a hidden layer, with the first and second derivatives
/// that the analytic input gradient and its pullback need.
public enum Activation: String, Codable, Sendable, CaseIterable {
  /// `σ(z) = tanh z`, `σ′ = 1 − σ²`, `σ″ = −2σ(1 − σ²)`.
  case tanh
  /// `σ(z) = log(1 + eᶻ)`, `σ′ = 1/(1 + e⁻ᶻ)`, `σ″ = σ′(1 − σ′)`.
  case softplus

  /// `(σ(z), σ′(z), σ″(z))`.
  public func evaluate(_ z: Double) -> (value: Double, first: Double, second: Double) {
    switch self {
    case .tanh:
      let (t, d) = VectorTanh.evaluate(SIMD4(z, 0, 0, 0))
      return (t[0], d[0], secondDerivative(value: t[0], first: d[0]))
    case .softplus:
      let s = Activation.logistic(z)
      return (Activation.softplus(z), s, secondDerivative(value: 0, first: s))
    }
  }

  /// `σ″` from `σ` and `σ′` at the same point: `−2σσ′` (tanh), `σ′(1 − σ′)` (softplus).
  @inline(__always)
  func secondDerivative(value: Double, first: Double) -> Double {
    switch self {
    case .tanh: -2 * value * first
    case .softplus: first * (1 - first)
    }
  }

  /// ``secondDerivative(value:first:)`` of `count` numbers (the case chosen once, outside the
  /// loop, so that the loop vectorises).
  func secondDerivatives(
    value: UnsafePointer<Double>, first: UnsafePointer<Double>,
    into second: UnsafeMutablePointer<Double>, count: Int
  ) {
    switch self {
    case .tanh:
      for i in 0..<count {
        second[i] = Activation.tanh.secondDerivative(value: value[i], first: first[i])
      }
    case .softplus:
      for i in 0..<count {
        second[i] = Activation.softplus.secondDerivative(value: value[i], first: first[i])
      }
    }
  }

  /// Overwrites `z[0..<count]` with `σ(z)` and writes `σ′(z)` to `first[0..<count]`; tanh
  /// four at a time (``VectorTanh``).
  func apply(_ z: UnsafeMutablePointer<Double>, first: UnsafeMutablePointer<Double>, count: Int) {
    switch self {
    case .tanh:
      let raw = UnsafeMutableRawPointer(z)
      let rawFirst = UnsafeMutableRawPointer(first)
      var i = 0
      while i + 4 <= count {
        let (t, d) = VectorTanh.evaluate(
          raw.loadUnaligned(fromByteOffset: i * 8, as: SIMD4<Double>.self))
        raw.storeBytes(of: t, toByteOffset: i * 8, as: SIMD4<Double>.self)
        rawFirst.storeBytes(of: d, toByteOffset: i * 8, as: SIMD4<Double>.self)
        i += 4
      }
      if i < count {
        var lanes = SIMD4<Double>()
        for j in i..<count { lanes[j - i] = z[j] }
        let (t, d) = VectorTanh.evaluate(lanes)
        for j in i..<count {
          z[j] = t[j - i]
          first[j] = d[j - i]
        }
      }
    case .softplus:
      for i in 0..<count {
        first[i] = Activation.logistic(z[i])
        z[i] = Activation.softplus(z[i])
      }
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
