import Manifolds
import RealModule

/// The planar double pendulum: point masses m₁, m₂ on massless rods of lengths l₁, l₂, the first
/// hinged at a fixed pivot, the second at the first mass; angles (θ₁, θ₂) measured from the
/// downward vertical, gravity g. With `δ = θ₁ − θ₂`:
///
///     M(q) = [ (m₁ + m₂) l₁²      m₂ l₁ l₂ cos δ ]
///            [ m₂ l₁ l₂ cos δ     m₂ l₂²         ],
///     V(q) = −(m₁ + m₂) g l₁ cos θ₁ − m₂ g l₂ cos θ₂.
///
/// The mass matrix depends on the configuration (`det M = m₂ l₁² l₂² (m₁ + m₂ sin²δ) > 0`), so
/// the Störmer–Verlet method does not apply; use ``VariationalMidpoint`` or
/// ``VariationalTrapezoidal``. For most initial conditions with energy well above the minimum the
/// motion is chaotic. All first and second derivatives are analytic. Units are SI by default
/// (kg, m, m/s²).
///
/// Its ``forces`` are the two joint torques, u₁ at the pivot (on the inner rod) and u₂ at the
/// elbow (on the outer rod, and −u₂ on the inner), and viscous friction b in both joints, on the
/// joints' relative rates θ̇₁ and θ̇₂ − θ̇₁: by virtual work
/// `u₁ δθ₁ + u₂ (δθ₂ − δθ₁)` and `R = ½ b θ̇₁² + ½ b (θ̇₂ − θ̇₁)²`,
///
///     B = [ 1  −1 ]      D = b [  2  −1 ]
///         [ 0   1 ],           [ −1   1 ].
public struct DoublePendulum: LagrangianSystem {
  /// The first (inner) mass m₁.
  public let mass1: Double
  /// The second (outer) mass m₂.
  public let mass2: Double
  /// The length l₁ of the first rod.
  public let length1: Double
  /// The length l₂ of the second rod.
  public let length2: Double
  /// The gravitational acceleration g.
  public let gravity: Double
  /// The viscous friction b of each joint (N m s).
  public let damping: Double

  /// - Throws: ``IntegrationError/invalidParameter(name:value:requirement:)`` naming the first
  ///   of `m1`, `m2`, `l1`, `l2` that is not positive and finite, `g` if it is not finite, or
  ///   `damping` if it is not non-negative and finite.
  public init(
    mass1 m1: Double = 1, mass2 m2: Double = 1, length1 l1: Double = 1, length2 l2: Double = 1,
    gravity g: Double = 9.81, damping b: Double = 0
  ) throws(IntegrationError) {
    mass1 = try Parameter.positive(m1, "m1")
    mass2 = try Parameter.positive(m2, "m2")
    length1 = try Parameter.positive(l1, "l1")
    length2 = try Parameter.positive(l2, "l2")
    gravity = try Parameter.finite(g, "g")
    damping = try Parameter.nonNegative(b, "damping")
  }

  /// The joint torques and joint friction (see the type's documentation).
  public var forces: ActuatorsAndDamping {
    var b = Matrix.identity(2)
    b[0, 1] = -1
    var d = Matrix.diagonal([2 * damping, damping])
    d[0, 1] = -damping
    d[1, 0] = -damping
    return ActuatorsAndDamping(unchecked: b, dissipation: d)
  }

  public var dimension: Int { 2 }

  /// `m₂ l₁ l₂`, the scale of the coupling entries of M.
  private var coupling: Double { mass2 * length1 * length2 }

  public func potential(at q: [Double]) -> Double {
    -(mass1 + mass2) * gravity * length1 * Double.cos(q[0])
      - mass2 * gravity * length2 * Double.cos(q[1])
  }

  /// `∇V = ((m₁ + m₂) g l₁ sin θ₁, m₂ g l₂ sin θ₂)`.
  public func potentialGradient(at q: Span<Double>, into gradient: inout MutableSpan<Double>) {
    gradient[0] = (mass1 + mass2) * gravity * length1 * Double.sin(q[0])
    gradient[1] = mass2 * gravity * length2 * Double.sin(q[1])
  }

  /// `∇²V = diag((m₁ + m₂) g l₁ cos θ₁, m₂ g l₂ cos θ₂)`.
  public func potentialHessian(at q: [Double]) -> Matrix {
    var hessian = Matrix.zeros(rows: 2, columns: 2)
    potentialHessian(at: q, into: &hessian)
    return hessian
  }

  public func potentialHessian(at q: [Double], into hessian: inout Matrix) {
    hessian.makeSquare(2)
    hessian[0, 0] = (mass1 + mass2) * gravity * length1 * Double.cos(q[0])
    hessian[0, 1] = 0
    hessian[1, 0] = 0
    hessian[1, 1] = mass2 * gravity * length2 * Double.cos(q[1])
  }

  public func massMatrix(at q: [Double]) -> Matrix {
    var mass = Matrix.zeros(rows: 2, columns: 2)
    massMatrix(at: q, into: &mass)
    return mass
  }

  public func massMatrix(at q: [Double], into mass: inout Matrix) {
    mass.makeSquare(2)
    let offDiagonal = coupling * Double.cos(q[0] - q[1])
    mass[0, 0] = (mass1 + mass2) * length1 * length1
    mass[0, 1] = offDiagonal
    mass[1, 0] = offDiagonal
    mass[1, 1] = mass2 * length2 * length2
  }

  /// `∂M/∂θ₁ = −∂M/∂θ₂`, with off-diagonal entries `−m₂ l₁ l₂ sin δ` and zero diagonal.
  public func massMatrixDerivative(at q: [Double], coordinate i: Int) -> Matrix {
    var derivative = Matrix.zeros(rows: 2, columns: 2)
    massMatrixDerivative(at: q, coordinate: i, into: &derivative)
    return derivative
  }

  public func massMatrixDerivative(
    at q: [Double], coordinate i: Int, into derivative: inout Matrix
  ) {
    let sign: Double = i == 0 ? -1 : 1
    Self.setOffDiagonal(sign * coupling * Double.sin(q[0] - q[1]), of: &derivative)
  }

  /// `∂²M/∂θᵢ∂θⱼ`: off-diagonal entries `−m₂ l₁ l₂ cos δ` for i = j and `+m₂ l₁ l₂ cos δ` for
  /// i ≠ j, zero diagonal.
  public func massMatrixSecondDerivative(at q: [Double], coordinates i: Int, _ j: Int) -> Matrix {
    var secondDerivative = Matrix.zeros(rows: 2, columns: 2)
    massMatrixSecondDerivative(at: q, coordinates: i, j, into: &secondDerivative)
    return secondDerivative
  }

  public func massMatrixSecondDerivative(
    at q: [Double], coordinates i: Int, _ j: Int, into secondDerivative: inout Matrix
  ) {
    let sign: Double = i == j ? -1 : 1
    Self.setOffDiagonal(sign * coupling * Double.cos(q[0] - q[1]), of: &secondDerivative)
  }

  /// All terms from one sine and cosine of θ₁, θ₂ and `δ = θ₁ − θ₂` (six libm calls, against
  /// fourteen through the separate requirements): with `k = m₂ l₁ l₂`,
  /// `(∂M/∂θ₁) v = −k sin δ (v₂, v₁) = −(∂M/∂θ₂) v` and
  /// `vᵀ (∂²M/∂θᵢ∂θⱼ) v = ∓2 k cos δ v₁ v₂` (− for i = j).
  public func lagrangianDerivatives(
    at q: [Double], velocity v: [Double], secondOrder: Bool,
    into derivatives: inout LagrangianDerivatives
  ) {
    let delta = q[0] - q[1]
    let offDiagonal = coupling * Double.cos(delta)
    Self.setSymmetric(
      &derivatives.mass, (mass1 + mass2) * length1 * length1, offDiagonal,
      mass2 * length2 * length2)
    var gradient = derivatives.potentialGradient.mutableSpan
    gradient[0] = (mass1 + mass2) * gravity * length1 * Double.sin(q[0])
    gradient[1] = mass2 * gravity * length2 * Double.sin(q[1])
    let derivative = -coupling * Double.sin(delta)  // (∂M/∂θ₁)₁₂
    derivatives.massDerivativeProducts.makeSquare(2)
    var products = derivatives.massDerivativeProducts.storage.mutableSpan
    products[0] = derivative * v[1]
    products[1] = derivative * v[0]
    products[2] = -(derivative * v[1])
    products[3] = -(derivative * v[0])
    guard secondOrder else { return }
    Self.setSymmetric(
      &derivatives.potentialHessian, (mass1 + mass2) * gravity * length1 * Double.cos(q[0]), 0,
      mass2 * gravity * length2 * Double.cos(q[1]))
    let form = 2 * offDiagonal * v[0] * v[1]
    Self.setSymmetric(&derivatives.massSecondDerivativeForms, -form, form, -form)
  }

  /// Makes `m` the symmetric 2×2 matrix `[[a, b], [b, d]]`, in place.
  private static func setSymmetric(_ m: inout Matrix, _ a: Double, _ b: Double, _ d: Double) {
    m.makeSquare(2)
    var entries = m.storage.mutableSpan
    entries[0] = a
    entries[1] = b
    entries[2] = b
    entries[3] = d
  }

  /// Makes `m` the symmetric 2×2 matrix with zero diagonal and off-diagonal entries `value`.
  private static func setOffDiagonal(_ value: Double, of m: inout Matrix) {
    m.makeSquare(2)
    m[0, 0] = 0
    m[0, 1] = value
    m[1, 0] = value
    m[1, 1] = 0
  }
}
