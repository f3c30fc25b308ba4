import Manifolds

/// The derivatives of `L(q, q̇) = ½ q̇ᵀ M(q) q̇ − V(q)` at a point `(q, v)` that the implicit
/// variational integrators use, evaluated together by
/// ``LagrangianSystem/lagrangianDerivatives(at:velocity:secondOrder:into:)``:
///
///     ∂²L/∂q̇² = M(q),    ∂L/∂qᵏ = ½ vᵀ (∂M/∂qᵏ) v − ∂V/∂qᵏ,    ∂²L/∂qᵏ∂q̇ = (∂M/∂qᵏ) v,
///     ∂²L/∂qⁱ∂qʲ = ½ vᵀ (∂²M/∂qⁱ∂qʲ) v − ∂²V/∂qⁱ∂qʲ.
///
/// One call per point lets a system share the work between the terms: ``DoublePendulum`` takes
/// one sine and one cosine of each angle and of their difference for all of them.
public struct LagrangianDerivatives: Sendable {
  /// `M(q)`.
  public var mass: Matrix
  /// `∇V(q)`.
  public var potentialGradient: [Double]
  /// Row k is `(∂M/∂qᵏ) v`.
  public var massDerivativeProducts: Matrix
  /// `∇²V(q)` (second order only).
  public var potentialHessian: Matrix
  /// Entry (i, j) is `vᵀ (∂²M/∂qⁱ∂qʲ) v` (second order only).
  public var massSecondDerivativeForms: Matrix
  /// One `∂M/∂qᵏ` or `∂²M/∂qⁱ∂qʲ` at a time, for the default evaluation.
  @usableFromInline var scratch: Matrix

  /// Zeros for a system of dimension n.
  public init(dimension n: Int) {
    mass = .zeros(rows: n, columns: n)
    potentialGradient = Array(repeating: 0, count: n)
    massDerivativeProducts = mass
    potentialHessian = mass
    massSecondDerivativeForms = mass
    scratch = mass
  }

  /// `∂L/∂qᵏ = ½ vᵀ (∂M/∂qᵏ) v − ∂V/∂qᵏ`, from row k of ``massDerivativeProducts``.
  @inlinable
  public func positionDerivative(_ k: Int, velocity v: [Double]) -> Double {
    let n = v.count
    let products = massDerivativeProducts.storage.span
    var form = 0.0
    for i in 0..<n { form += products[k * n + i] * v[i] }
    return 0.5 * form - potentialGradient[k]
  }
}

extension LagrangianSystem {
  /// The default: each term from the system's own requirements (`massMatrix(at:into:)`,
  /// `potentialGradient(at:into:)`, n `massMatrixDerivative` and, for the second order,
  /// `potentialHessian(at:into:)` and n² `massMatrixSecondDerivative`).
  @inlinable
  public func lagrangianDerivatives(
    at q: [Double], velocity v: [Double], secondOrder: Bool,
    into derivatives: inout LagrangianDerivatives
  ) {
    massMatrix(at: q, into: &derivatives.mass)
    writePotentialGradient(at: q, into: &derivatives.potentialGradient)
    let n = dimension
    for k in 0..<n {
      massMatrixDerivative(at: q, coordinate: k, into: &derivatives.scratch)
      for i in 0..<n {
        var s = 0.0
        for j in 0..<n { s += derivatives.scratch[i, j] * v[j] }
        derivatives.massDerivativeProducts[k, i] = s
      }
    }
    guard secondOrder else { return }
    potentialHessian(at: q, into: &derivatives.potentialHessian)
    for i in 0..<n {
      for j in 0..<n {
        massMatrixSecondDerivative(at: q, coordinates: i, j, into: &derivatives.scratch)
        derivatives.massSecondDerivativeForms[i, j] = quadraticForm(derivatives.scratch, v)
      }
    }
  }
}

extension LagrangianSystem {
  /// Writes `(∂L/∂q)ᵢ = ½ vᵀ (∂M/∂qⁱ) v − ∂V/∂qⁱ` into `gradient`, with `massDerivative` as the
  /// buffer for `∂M/∂qⁱ` (the first-order term alone, for ``HamiltonianVectorField``).
  func lagrangianGradient(
    at q: [Double], velocity v: [Double], into gradient: inout [Double],
    massDerivative: inout Matrix
  ) {
    writePotentialGradient(at: q, into: &gradient)
    for i in 0..<dimension {
      massMatrixDerivative(at: q, coordinate: i, into: &massDerivative)
      gradient[i] = 0.5 * quadraticForm(massDerivative, v) - gradient[i]
    }
  }
}

/// `vᵀ A v`.
@inlinable
func quadraticForm(_ a: Matrix, _ v: [Double]) -> Double {
  var s = 0.0
  for r in v.indices {
    var row = 0.0
    for c in v.indices { row += a[r, c] * v[c] }
    s += v[r] * row
  }
  return s
}
