/// What the networks of a ``ConfigurationForce`` see of a point: the features `x` of which B
/// and L are functions.
///
/// On SO(3) the features are the nine entries of R, row by row. A body torque is a function on
/// SO(3), and every function of R is one of its entries, so nothing is assumed of the torque;
/// the torques of a heavy body about a fixed point (gravity, a damping that varies with the
/// tilt) depend on R only through the direction of gravity in the body frame, `Rᵀe_z`, the
/// entries' third row, which a network of the nine entries represents with the first-layer
/// weights of the other six at zero (at the cost of 6·width more weights). To give the networks
/// `Rᵀe_z` alone, make ``attitude``'s ``pointDimension(dimension:)`` stay 9 and embed the third
/// row in `ConfigurationForce.embed` (3 inputs, `∂x/∂R₃ⱼ = eⱼ`).
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
