import _Differentiation

/// The fixed mass matrix `M = I` (no parameters).
public struct IdentityMassMatrix: LearnableMassMatrix {
  @noDerivative public let dimension: Int

  public init(dimension: Int) { self.dimension = dimension }

  public var parameterCount: Int { 0 }
  public var flatParameters: [Double] {
    get { [] }
    set {}
  }
  public func flatten(_ tangent: TangentVector) -> [Double] { [] }

  @differentiable(reverse)
  public func entries() -> [Double] { identity() }

  func identity() -> [Double] {
    var m = Array(repeating: 0.0, count: dimension * dimension)
    for i in 0..<dimension { m[i * dimension + i] = 1 }
    return m
  }

  @derivative(of: entries)
  public func vjpEntries() -> (value: [Double], pullback: ([Double].TangentVector) -> TangentVector)
  {
    (identity(), { _ in TangentVector() })
  }
}
