import _Differentiation

/// The non-conservative forces a VIN on Rⁿ learns: m inputs through a constant input matrix
/// and linear (Rayleigh) dissipation,
///
///     F(q̇, u) = B u − D q̇,
///
/// B the n×m input matrix and D the n×n symmetric positive semi-definite dissipation matrix of
/// the Rayleigh function `½ q̇ᵀDq̇`. A forced VIN adds them to its step through the discrete
/// Lagrange–d'Alembert principle (Marsden and West, *Discrete mechanics and variational
/// integrators*, Acta Numerica 2001, §3), with u held over each step (``VINVelocityVerlet``, ``VINMq``).
/// ``NoForce`` is the unforced VIN's; ``ConstantForce`` learns B and D.
public protocol LearnableForce: ParameterFlattening, Sendable {
  /// The number m of inputs.
  var inputCount: Int { get }
  /// Whether the forces vanish identically (no inputs and no dissipation): a VIN with them
  /// steps exactly as an unforced one.
  var vanishes: Bool { get }
  /// B, row-major (n·m numbers).
  func inputMatrix() -> [Double]
  /// D, row-major (n·n numbers).
  func dissipation() -> [Double]
  /// The parameter cotangent for the cotangents B̄ (row-major n×m) and D̄ (row-major n×n).
  func pullback(inputMatrixBar: [Double], dissipationBar: [Double]) -> TangentVector
  /// The specification that, with the dimension, rebuilds these forces' architecture.
  var specification: ForceSpecification { get }
}

extension LearnableForce {
  /// Throws unless the forces act on n coordinates (or vanish): B has n·m entries, D n·n.
  /// - Throws: ``LearningError/dimensionMismatch(name:expected:actual:)``.
  func checkDimension(_ n: Int) throws(LearningError) {
    guard !vanishes else { return }
    let (b, d) = (inputMatrix().count, dissipation().count)
    guard b == n * inputCount, d == n * n else {
      throw .dimensionMismatch(
        name: "forces dimension (B has n·m entries, D n·n)", expected: n * n, actual: d)
    }
  }
}

/// No forces: the VIN is conservative and takes no inputs.
public struct NoForce: LearnableForce, Hashable {
  public init() {}

  public var inputCount: Int { 0 }
  public var vanishes: Bool { true }
  public var parameterCount: Int { 0 }
  public var flatParameters: [Double] {
    get { [] }
    set {}
  }
  public func flatten(_ tangent: TangentVector) -> [Double] { [] }
  public func inputMatrix() -> [Double] { [] }
  public func dissipation() -> [Double] { [] }
  public func pullback(inputMatrixBar: [Double], dissipationBar: [Double]) -> TangentVector {
    TangentVector()
  }
  public var specification: ForceSpecification { .none }
}
