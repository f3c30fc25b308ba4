import Manifolds
import RealModule

/// The cart-pole, the standard under-actuated control benchmark: a cart of mass m_c on a
/// horizontal track, and a pole hinged on it, a point mass m_p at the end of a massless rod of
/// length l; coordinates q = (x, θ), the cart's position and the pole's angle from the downward
/// vertical (θ = π is upright), gravity g. The pole's mass is at `(x + l sin θ, −l cos θ)`, so
///
///     M(q) = [ m_c + m_p       m_p l cos θ ]
///            [ m_p l cos θ     m_p l²      ],    V(q) = −m_p g l cos θ,
///
/// with `det M = m_p l² (m_c + m_p sin²θ) > 0`. M depends on θ, so the integrators are the
/// implicit midpoint (the default of `vin`) and trapezoidal rules and the baselines. All first and
/// second derivatives are analytic and written in place (a step allocates nothing).
///
/// Its ``forces`` are one input, a horizontal force u on the cart (N), the cart's viscous
/// friction on the track and viscous damping at the pole's hinge:
/// `B = (1, 0)ᵀ`, `D = diag(friction, damping)`. Units are SI by default (kg, m, m/s²).
public struct CartPole: LagrangianSystem {
  /// The cart's mass m_c.
  public let cartMass: Double
  /// The pole's (tip) mass m_p.
  public let poleMass: Double
  /// The pole's length l.
  public let length: Double
  /// The gravitational acceleration g.
  public let gravity: Double
  /// The cart's viscous friction on the track (N s/m).
  public let friction: Double
  /// The viscous damping at the hinge (N m s).
  public let damping: Double

  /// - Throws: ``IntegrationError/invalidParameter(name:value:requirement:)`` naming `mc`, `mp`
  ///   or `l` unless positive and finite, `g` unless finite, `friction` or `damping` unless
  ///   non-negative and finite.
  public init(
    cartMass mc: Double = 1, poleMass mp: Double = 0.1, length l: Double = 0.5,
    gravity g: Double = 9.81, friction: Double = 0, damping: Double = 0
  ) throws(IntegrationError) {
    cartMass = try Parameter.positive(mc, "mc")
    poleMass = try Parameter.positive(mp, "mp")
    length = try Parameter.positive(l, "l")
    gravity = try Parameter.finite(g, "g")
    self.friction = try Parameter.nonNegative(friction, "friction")
    self.damping = try Parameter.nonNegative(damping, "damping")
  }

  public var dimension: Int { 2 }

  /// The force on the cart, the track's friction and the hinge's damping.
  public var forces: ActuatorsAndDamping {
    var b = Matrix.zeros(rows: 2, columns: 1)
    b[0, 0] = 1
    return ActuatorsAndDamping(unchecked: b, dissipation: .diagonal([friction, damping]))
  }

  /// `m_p l`, the scale of the coupling entries of M.
  private var coupling: Double { poleMass * length }

  public func potential(at q: [Double]) -> Double {
    -poleMass * gravity * length * Double.cos(q[1])
  }

  /// `∇V = (0, m_p g l sin θ)`.
  public func potentialGradient(at q: Span<Double>, into gradient: inout MutableSpan<Double>) {
    gradient[0] = 0
    gradient[1] = poleMass * gravity * length * Double.sin(q[1])
  }

  /// `∇²V = diag(0, m_p g l cos θ)`.
  public func potentialHessian(at q: [Double]) -> Matrix {
    var hessian = Matrix.zeros(rows: 2, columns: 2)
    potentialHessian(at: q, into: &hessian)
    return hessian
  }

  public func potentialHessian(at q: [Double], into hessian: inout Matrix) {
    Self.setSymmetric(&hessian, 0, 0, poleMass * gravity * length * Double.cos(q[1]))
  }

  public func massMatrix(at q: [Double]) -> Matrix {
    var mass = Matrix.zeros(rows: 2, columns: 2)
    massMatrix(at: q, into: &mass)
    return mass
  }

  public func massMatrix(at q: [Double], into mass: inout Matrix) {
    Self.setSymmetric(
      &mass, cartMass + poleMass, coupling * Double.cos(q[1]), poleMass * length * length)
  }

  /// `∂M/∂x = 0`; `∂M/∂θ` has off-diagonal entries `−m_p l sin θ` and zero diagonal.
  public func massMatrixDerivative(at q: [Double], coordinate i: Int) -> Matrix {
    var derivative = Matrix.zeros(rows: 2, columns: 2)
    massMatrixDerivative(at: q, coordinate: i, into: &derivative)
    return derivative
  }

  public func massMatrixDerivative(
    at q: [Double], coordinate i: Int, into derivative: inout Matrix
  ) {
    Self.setSymmetric(&derivative, 0, i == 1 ? -coupling * Double.sin(q[1]) : 0, 0)
  }

  /// `∂²M/∂θ²` has off-diagonal entries `−m_p l cos θ`; the others are zero.
  public func massMatrixSecondDerivative(at q: [Double], coordinates i: Int, _ j: Int) -> Matrix {
    var secondDerivative = Matrix.zeros(rows: 2, columns: 2)
    massMatrixSecondDerivative(at: q, coordinates: i, j, into: &secondDerivative)
    return secondDerivative
  }

  public func massMatrixSecondDerivative(
    at q: [Double], coordinates i: Int, _ j: Int, into secondDerivative: inout Matrix
  ) {
    let entry = i == 1 && j == 1 ? -coupling * Double.cos(q[1]) : 0
    Self.setSymmetric(&secondDerivative, 0, entry, 0)
  }

  /// Makes `m` the symmetric 2×2 matrix `[[a, b], [b, d]]`, in place.
  private static func setSymmetric(_ m: inout Matrix, _ a: Double, _ b: Double, _ d: Double) {
    m.makeSquare(2)
    m[0, 0] = a
    m[0, 1] = b
    m[1, 0] = b
    m[1, 1] = d
  }
}
