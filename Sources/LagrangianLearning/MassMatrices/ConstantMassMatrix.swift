import Foundation
import _Differentiation

/// A learnable constant mass matrix `M = L Lᵀ`, L lower triangular with diagonal
/// `Lᵢᵢ = softplus(rᵢ) + ε`, so M is symmetric positive definite for every parameter value
/// (its eigenvalues are at least ε²-bounded away from zero).
///
/// Parameters: the n raw diagonal values rᵢ, then the strictly lower entries of L row by row.
/// The initial value is `M = I` (`rᵢ = softplus⁻¹(1 − ε)`, off-diagonals 0): a model that
/// starts from a zero inverse mass, as the reference implementation of the paper did, has no
/// dynamics and no gradient with respect to the potential, and never trains.
public struct ConstantMassMatrix: LearnableMassMatrix {
  public var parameters: ParameterVector
  @noDerivative public let dimension: Int
  /// The lower bound ε added to the softplus diagonal of L.
  @noDerivative public let epsilon: Double

  /// `M = I`.
  public init(dimension: Int, epsilon: Double = 1e-4) {
    self.dimension = dimension
    self.epsilon = epsilon
    var values = Array(repeating: 0.0, count: dimension * (dimension + 1) / 2)
    let raw = log(expm1(1 - epsilon))
    for i in 0..<dimension { values[i] = raw }
    parameters = ParameterVector(values)
  }

  /// A mass matrix with given raw parameters.
  /// - Throws: ``LearningError/dimensionMismatch(name:expected:actual:)`` unless there are
  ///   n(n+1)/2 of them; ``LearningError/invalidConfiguration(name:value:requirement:)`` unless
  ///   ε is positive and finite.
  public init(dimension: Int, parameters: [Double], epsilon: Double = 1e-4)
    throws(LearningError)
  {
    let expected = dimension * (dimension + 1) / 2
    guard epsilon.isFinite, epsilon > 0 else {
      throw .invalidConfiguration(
        name: "mass matrix epsilon", value: "\(epsilon)", requirement: "must be positive and finite"
      )
    }
    guard parameters.count == expected else {
      throw .dimensionMismatch(
        name: "mass matrix parameters", expected: expected, actual: parameters.count)
    }
    self.dimension = dimension
    self.epsilon = epsilon
    self.parameters = ParameterVector(parameters)
  }

  public var parameterCount: Int { dimension * (dimension + 1) / 2 }
  public var flatParameters: [Double] {
    get { parameters.scalars }
    set { parameters = ParameterVector(newValue) }
  }
  public func flatten(_ tangent: TangentVector) -> [Double] {
    tangent.parameters.dense(count: parameterCount)
  }

  /// The factor L, row-major.
  func factor() -> [Double] {
    let n = dimension
    var l = Array(repeating: 0.0, count: n * n)
    var k = n
    for i in 0..<n {
      l[i * n + i] = Activation.softplus(parameters.scalars[i]) + epsilon
      for j in 0..<i {
        l[i * n + j] = parameters.scalars[k]
        k += 1
      }
    }
    return l
  }

  static func gram(_ l: [Double], _ n: Int) -> [Double] {
    var m = Array(repeating: 0.0, count: n * n)
    for i in 0..<n {
      for j in 0..<n {
        var sum = 0.0
        for k in 0...min(i, j) { sum += l[i * n + k] * l[j * n + k] }
        m[i * n + j] = sum
      }
    }
    return m
  }

  @differentiable(reverse)
  public func entries() -> [Double] { Self.gram(factor(), dimension) }

  /// `L̄ = (M̄ + M̄ᵀ) L`, then `r̄ᵢ = L̄ᵢᵢ · logistic(rᵢ)`.
  @derivative(of: entries)
  public func vjpEntries() -> (value: [Double], pullback: ([Double].TangentVector) -> TangentVector)
  {
    let n = dimension
    let l = factor()
    let raw = parameters.scalars
    return (
      Self.gram(l, n),
      { cotangent in
        let mBar = [Double](dense: cotangent, count: n * n)
        var result = Array(repeating: 0.0, count: n * (n + 1) / 2)
        var k = n
        for i in 0..<n {
          for j in 0...i {
            var lBar = 0.0
            for r in 0..<n { lBar += (mBar[i * n + r] + mBar[r * n + i]) * l[r * n + j] }
            if i == j {
              result[i] = lBar * Activation.logistic(raw[i])
            } else {
              result[k] = lBar
              k += 1
            }
          }
        }
        return TangentVector(parameters: ParameterVector(result))
      }
    )
  }
}
