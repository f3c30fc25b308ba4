/// What the networks of a ``ConfigurationForce`` see of a point: the features `x` of which B
/// and L are functions.
///
/// **On SO(3)** (``attitude``) the features are the nine entries of R, row by row, and the
/// cotangent a pullback returns is the ambient `R̄ = x̄`, which ``VINSO3``'s adjoint adds to its
/// own. A body torque is a function on SO(3), and every function of R is one of its entries, so
/// nothing is assumed of the torque. The torques of a heavy body about a fixed point (gravity, a
/// damping that varies with the tilt) depend on R only through the direction of gravity in the
/// body frame, `Rᵀe_z`, the entries' third row, which a network of the nine entries represents
/// with the first-layer weights of the other six at zero, at the cost of 6·width more weights
/// and of the freedom to vary with the heading as well. To give the networks `Rᵀe_z` alone,
/// change `ConfigurationForce`'s `embed` for ``attitude`` to copy entries 6–8 (3 inputs, with
/// ``ConfigurationForce``'s `embeddedDimension` 3), the directions `∂x/∂R₃ⱼ = eⱼ` (zero for the
/// other six), and the pullback to `R̄₃ⱼ = x̄ⱼ`, the other entries' cotangents zero.
public enum ForceFeatures: Hashable, Sendable {
  /// `x = q`, the n coordinates.
  case coordinates
  /// `x = (cos q₁, sin q₁, …, cos qₙ, sin qₙ)`: coordinates that are angles.
  case angles
  /// `x = (R₁₁, R₁₂, …, R₃₃)`: an attitude R ∈ SO(3), each point given by its nine entries
  /// (row-major), for the body torque of a ``VINSO3`` (n = 3).
  case attitude

  /// The numbers of a point on n coordinates: n, or 9 for an attitude.
  public func pointDimension(dimension n: Int) -> Int { self == .attitude ? 9 : n }

  /// The state space whose configurations these features describe.
  var layout: ObservationLayout { self == .attitude ? .rigidBody : .coordinates }
}
