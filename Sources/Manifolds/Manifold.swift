/// A smooth manifold with a retraction and its local inverse.
///
/// `retract` moves from a point along a tangent vector; `localCoordinate` is its inverse near the
/// point:
///
///     p.retract(p.localCoordinate(q)) == q       (for q near p)
///     p.localCoordinate(p.retract(v)) == v       (for small v)
///
/// On a Lie group the retraction is `p * exp(v)` (right perturbation, body frame), as in
/// Solà, Deray, Atchuthan, *A micro Lie theory for state estimation in robotics*, 2018, §3.
public protocol Manifold: Sendable {
  /// A tangent vector in local coordinates.
  associatedtype Tangent: TangentSpaceVector

  /// The point reached by moving along `tangent` from `self`.
  func retract(_ tangent: Tangent) -> Self

  /// The tangent vector at `self` that `retract` maps to `other`.
  func localCoordinate(_ other: Self) -> Tangent
}

/// A vector of a finite-dimensional real vector space, with generic access to its coordinates.
///
/// Generic algorithms (finite differences, the Lie group law tests) read and perturb coordinates
/// through this protocol; concrete code uses the concrete type's own operations.
///
/// (Not called `TangentVector`, so that in code that imports VINKit the name `TangentVector`
/// inside a `Differentiable` type still means that type's own associated tangent type.)
public protocol TangentSpaceVector: Sendable {
  /// The zero vector.
  static var zero: Self { get }
  /// Vector addition.
  static func + (lhs: Self, rhs: Self) -> Self
  /// Vector subtraction.
  static func - (lhs: Self, rhs: Self) -> Self
  /// The number of coordinates.
  var dimension: Int { get }
  /// The coordinates, in order.
  var components: [Double] { get }
  /// `self` with coordinate `index` increased by `delta`.
  func adding(_ delta: Double, at index: Int) -> Self
  /// `scale * self`.
  func scaled(by scale: Double) -> Self
}

/// A linear map of a tangent space to itself (a Jacobian or an adjoint matrix).
public protocol LinearMap: Sendable {
  /// The vectors this map acts on.
  associatedtype Vector: TangentSpaceVector
  /// The matrix as rows of entries (for generic algorithms and tests).
  var denseRows: [[Double]] { get }
  /// The image of `vector`.
  func apply(_ vector: Vector) -> Vector
  /// The composition `self ∘ other`.
  func composed(with other: Self) -> Self
}

/// A Lie group: a manifold that is also a group, with the exponential map of its Lie algebra.
///
/// Conventions follow Solà, Deray, Atchuthan (2018): `retract(ξ) = self * exp(ξ)`,
/// `Ad(g) ξ = vee(g hat(ξ) g⁻¹)`, and the right and left Jacobians
///
///     exp(ξ + δ) ≈ exp(ξ) exp(J_r(ξ) δ) ≈ exp(J_l(ξ) δ) exp(ξ),   J_l(ξ) = Ad(exp ξ) J_r(ξ).
///
/// Group laws: `g * g.inverse() == identity`, `(a * b) * c == a * (b * c)`,
/// `exp(log g) == g`, `log(exp ξ) == ξ` within the injectivity radius, `vee(hat ξ) == ξ`.
public protocol LieGroup: Manifold {
  /// The Lie algebra element as a matrix (the image of `hat`).
  associatedtype AlgebraElement: Sendable
  /// Matrices acting on the tangent space (Jacobians, adjoint).
  associatedtype Jacobian: LinearMap where Jacobian.Vector == Tangent
  /// Vectors the group acts on (points of the space it moves).
  associatedtype Point: Sendable

  /// The identity element of the group `self` belongs to (for R^n, the zero of the same n).
  var identity: Self { get }
  /// The group product `lhs * rhs`.
  static func * (lhs: Self, rhs: Self) -> Self
  /// The group inverse.
  func inverse() -> Self
  /// The exponential map `exp: 𝔤 ≅ R^d → G`.
  static func exp(_ tangent: Tangent) -> Self
  /// The logarithm, the inverse of `exp` on its principal branch.
  func log() -> Tangent
  /// The isomorphism `R^d → 𝔤`.
  static func hat(_ tangent: Tangent) -> AlgebraElement
  /// The inverse of `hat`.
  static func vee(_ element: AlgebraElement) -> Tangent
  /// The adjoint matrix `Ad(g)`, with `g exp(ξ) g⁻¹ = exp(Ad(g) ξ)`.
  var adjoint: Jacobian { get }
  /// The right Jacobian `J_r(ξ)`.
  static func rightJacobian(_ tangent: Tangent) -> Jacobian
  /// The left Jacobian `J_l(ξ)`.
  static func leftJacobian(_ tangent: Tangent) -> Jacobian
  /// `J_r(ξ)⁻¹`.
  static func rightJacobianInverse(_ tangent: Tangent) -> Jacobian
  /// `J_l(ξ)⁻¹`.
  static func leftJacobianInverse(_ tangent: Tangent) -> Jacobian
  /// The action of the group on a point, `g · x`.
  func act(on point: Point) -> Point
}

extension LieGroup {
  /// `self * exp(tangent)`.
  @inlinable
  public func retract(_ tangent: Tangent) -> Self { self * Self.exp(tangent) }

  /// `log(self⁻¹ * other)`.
  @inlinable
  public func localCoordinate(_ other: Self) -> Tangent { (inverse() * other).log() }
}
