import Manifolds

/// The Hénon–Heiles system, a standard test of chaotic Hamiltonian dynamics:
///
///     L = ½ |q̇|² − ½ |q|² − q₁² q₂ + q₂³/3.
///
/// (Hénon and Heiles, *The applicability of the third integral of motion*, Astron. J. 1964.)
public struct HenonHeiles: ConstantMassSystem {
  public let mass = Matrix.identity(2)
  public var dimension: Int { 2 }

  public init() {}

  public func potential(at q: [Double]) -> Double {
    let (x, y) = (q[0], q[1])
    return 0.5 * (x * x + y * y) + x * x * y - y * y * y / 3
  }

  public func potentialGradient(at q: Span<Double>, into gradient: inout MutableSpan<Double>) {
    let (x, y) = (q[0], q[1])
    gradient[0] = x + 2 * x * y
    gradient[1] = y + x * x - y * y
  }

  /// `∇²V = [[1 + 2y, 2x], [2x, 1 − 2y]]`.
  public func potentialHessian(at q: [Double]) -> Matrix {
    let (x, y) = (q[0], q[1])
    var hessian = Matrix.diagonal([1 + 2 * y, 1 - 2 * y])
    hessian[0, 1] = 2 * x
    hessian[1, 0] = 2 * x
    return hessian
  }
}
