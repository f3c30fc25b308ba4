import Manifolds
import _Differentiation

/// A learnable body inertia `J = LLᵀ + εI`: the mass matrix of a rigid body on SO(3), whose
/// kinetic energy is `½ ΩᵀJΩ` (``VINSO3``). L is lower triangular with free entries
/// `(L11, L21, L22, L31, L32, L33)`, so J is symmetric positive definite (eigenvalues at least ε)
/// for every parameter value; it starts at `J = sI + εI` (`L = √s I`) for the initial scale s.
public struct RigidBodyInertia: ParameterFlattening, Sendable {
  /// `(L11, L21, L22, L31, L32, L33)`.
  public var factor: ParameterVector
  /// The ε of `J = LLᵀ + εI`.
  @noDerivative public let epsilon: Double
  /// The scale s of the initial inertia `J = sI` (kept in the model's specification).
  @noDerivative public let initialScale: Double

  /// The inertia `J = sI + εI` (s = `initialScale`), or with the factor `factor` when given.
  /// - Throws: ``LearningError/invalidConfiguration(name:value:requirement:)`` unless the
  ///   initial scale and ε are positive and finite and the factor's entries finite;
  ///   ``LearningError/dimensionMismatch(name:expected:actual:)`` unless `factor` has 6 entries.
  public init(initialScale: Double = 1, epsilon: Double = 1e-6, factor: [Double]? = nil)
    throws(LearningError)
  {
    for (name, value) in [("initial inertia scale", initialScale), ("epsilon", epsilon)] {
      guard value.isFinite, value > 0 else {
        throw .invalidConfiguration(
          name: name, value: "\(value)", requirement: "must be positive and finite")
      }
    }
    let s = initialScale.squareRoot()
    let entries = factor ?? [s, 0, s, 0, 0, s]
    guard entries.count == 6 else {
      throw .dimensionMismatch(
        name: "so3-inertia parameters", expected: 6, actual: entries.count)
    }
    try ModelLimits.checkFinite(entries, field: "so3-inertia parameters")
    self.factor = ParameterVector(entries)
    self.epsilon = epsilon
    self.initialScale = initialScale
  }

  public var parameterCount: Int { 6 }
  public var flatParameters: [Double] {
    get { factor.scalars }
    set { factor = ParameterVector(newValue) }
  }
  public func flatten(_ tangent: TangentVector) -> [Double] { tangent.factor.dense(count: 6) }

  /// The lower-triangular factor L.
  var lowerFactor: Matrix3 {
    let p = factor.scalars
    return Matrix3(p[0], 0, 0, p[1], p[2], 0, p[3], p[4], p[5])
  }

  /// `J = LLᵀ + εI` (exactly symmetric).
  public var matrix: Matrix3 {
    let l = lowerFactor
    var j = Matrix3.zero
    for a in 0..<3 {
      for b in 0..<3 { j[a, b] = l.row(a).dot(l.row(b)) + (a == b ? epsilon : 0) }
    }
    return j
  }

  /// The pullback of ``matrix``: `L̄ = (J̄ + J̄ᵀ)L`, lower triangle.
  func pullback(_ jBar: Matrix3) -> TangentVector {
    let lBar = (jBar + jBar.transpose) * lowerFactor
    return TangentVector(
      factor: ParameterVector([
        lBar[0, 0], lBar[1, 0], lBar[1, 1], lBar[2, 0], lBar[2, 1], lBar[2, 2],
      ]))
  }
}
