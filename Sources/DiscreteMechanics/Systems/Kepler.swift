import Manifolds

/// The Kepler problem in the plane with unit masses and gravitational parameter:
///
///     L = ½ |q̇|² + 1/|q|,    ∇V = q/|q|³.
///
/// Rotation invariance gives the conserved angular momentum `q₁p₂ − q₂p₁`, which the
/// Störmer–Verlet method conserves exactly (up to round-off).
public struct Kepler: ConstantMassSystem {
  public let mass = Matrix.identity(2)
  public var dimension: Int { 2 }

  public init() {}

  public func potential(at q: [Double]) -> Double {
    -1 / (q[0] * q[0] + q[1] * q[1]).squareRoot()
  }

  // Always inlined: called, the gradient's arguments and results go through memory, which costs
  // a Verlet step about a third of its time (see Docs/Benchmarks.md).
  @inlinable @inline(__always)
  public func potentialGradient(at q: Span<Double>, into gradient: inout MutableSpan<Double>) {
    let (x, y) = (q[0], q[1])
    let r2 = x * x + y * y
    let inverseR3 = 1 / (r2 * r2.squareRoot())
    gradient[0] = x * inverseR3
    gradient[1] = y * inverseR3
  }

  /// `∇²V = I/|q|³ − 3 q qᵀ/|q|⁵`.
  public func potentialHessian(at q: [Double]) -> Matrix {
    let r2 = q[0] * q[0] + q[1] * q[1]
    let inverseR3 = 1 / (r2 * r2.squareRoot())
    let inverseR5 = inverseR3 / r2
    var hessian = Matrix.diagonal([inverseR3, inverseR3])
    for i in 0..<2 {
      for j in 0..<2 { hessian[i, j] -= 3 * q[i] * q[j] * inverseR5 }
    }
    return hessian
  }

  /// The angular momentum `q₁ p₂ − q₂ p₁`.
  public func angularMomentum(_ state: PhaseState) -> Double {
    state.q[0] * state.p[1] - state.q[1] * state.p[0]
  }
}
