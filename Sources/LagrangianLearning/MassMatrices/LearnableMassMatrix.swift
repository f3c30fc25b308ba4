import _Differentiation

/// A constant symmetric positive definite mass matrix `M_θ` with trainable parameters θ.
public protocol LearnableMassMatrix: ParameterFlattening, Sendable {
  /// The configuration dimension n.
  var dimension: Int { get }
  /// The entries of `M_θ`, row-major (n² numbers).
  @differentiable(reverse)
  func entries() -> [Double]
}
