import _Differentiation

/// A differentiable value whose parameters and tangent vectors can be laid out as one flat
/// array, in one fixed order, so that an optimiser (``Adam``) can update it and a model file
/// can store it.
public protocol ParameterFlattening: Differentiable {
  /// The number of scalar parameters.
  var parameterCount: Int { get }
  /// All parameters, in a fixed order; setting requires `parameterCount` entries.
  var flatParameters: [Double] { get set }
  /// A tangent vector in the order of ``flatParameters`` (`parameterCount` entries; a zero
  /// tangent gives zeros).
  func flatten(_ tangent: TangentVector) -> [Double]
}

extension Array where Element == Double {
  /// The entries of a tangent vector of `[Double]` as `count` numbers (zeros for `.zero`).
  @inlinable
  init(dense tangent: [Double].TangentVector, count: Int) {
    self = tangent.base.isEmpty ? Array(repeating: 0, count: count) : tangent.base
  }
}
