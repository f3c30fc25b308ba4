import Foundation
import _Differentiation

/// `V_a(q) = a Σᵢ (1 − cos qᵢ)` with learnable amplitude a; for the pendulum `a = m g l`.
public struct CosinePotential: LearnablePotential {
  /// The amplitude a.
  public var amplitude: Double
  @noDerivative public let dimension: Int

  public init(dimension: Int, amplitude: Double) {
    self.dimension = dimension
    self.amplitude = amplitude
  }

  public var parameterCount: Int { 1 }
  public var flatParameters: [Double] {
    get { [amplitude] }
    set { amplitude = newValue[0] }
  }
  public func flatten(_ tangent: TangentVector) -> [Double] { [tangent.amplitude] }

  @differentiable(reverse)
  public func energy(at q: [Double]) -> Double { amplitude * Self.shape(q) }

  /// `Σᵢ (1 − cos qᵢ)`.
  public static func shape(_ q: [Double]) -> Double { q.reduce(0) { $0 + 1 - cos($1) } }

  @derivative(of: shape)
  public static func vjpShape(_ q: [Double]) -> (
    value: Double, pullback: (Double) -> [Double].TangentVector
  ) {
    (shape(q), { c in .init(q.map { c * sin($0) }) })
  }

  @differentiable(reverse)
  public func gradient(at q: [Double]) -> [Double] { q.map { amplitude * sin($0) } }

  @derivative(of: gradient)
  public func vjpGradient(at q: [Double]) -> (
    value: [Double], pullback: ([Double].TangentVector) -> (TangentVector, [Double].TangentVector)
  ) {
    let a = amplitude
    let n = q.count
    return (
      q.map { a * sin($0) },
      { cotangent in
        let c = [Double](dense: cotangent, count: n)
        var da = 0.0
        var dq = Array(repeating: 0.0, count: n)
        for i in 0..<n {
          da += c[i] * sin(q[i])
          dq[i] = a * cos(q[i]) * c[i]
        }
        return (TangentVector(amplitude: da), .init(dq))
      }
    )
  }
}
