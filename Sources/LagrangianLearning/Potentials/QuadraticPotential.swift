import _Differentiation

/// `V_k(q) = ½ k |q|²` with learnable stiffness k (the harmonic oscillator's potential).
///
/// Written as plain differentiable Swift: automatic differentiation derives every pullback,
/// which is all a user-defined ``LearnablePotential`` needs.
public struct QuadraticPotential: LearnablePotential {
  /// The stiffness k.
  public var stiffness: Double
  @noDerivative public let dimension: Int

  public init(dimension: Int, stiffness: Double) {
    self.dimension = dimension
    self.stiffness = stiffness
  }

  public var parameterCount: Int { 1 }
  public var flatParameters: [Double] {
    get { [stiffness] }
    set { stiffness = newValue[0] }
  }
  public func flatten(_ tangent: TangentVector) -> [Double] { [tangent.stiffness] }

  @differentiable(reverse)
  public func energy(at q: [Double]) -> Double {
    var sum = 0.0
    for i in withoutDerivative(at: q.indices) { sum += q[i] * q[i] }
    return 0.5 * stiffness * sum
  }

  @differentiable(reverse)
  public func gradient(at q: [Double]) -> [Double] {
    var force: [Double] = []
    for i in withoutDerivative(at: q.indices) { force = force + [stiffness * q[i]] }
    return force
  }
}
