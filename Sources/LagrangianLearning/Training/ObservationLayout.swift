/// The state space of a trajectory's samples, and so of the models that learn from it: what the
/// rows of an ``ObservedTrajectory`` are and which ``MechanicalState`` a model forecasts from.
public enum ObservationLayout: String, Codable, Sendable, CaseIterable {
  /// Coordinates `q ∈ Rⁿ` (angles included) and optionally `q̇`, as `vin simulate` writes
  /// them for systems on Rⁿ and SO(2): header `t,q1,…,qn[,v1,…,vn]`. An observation row is
  /// `(q, q̇)` (2n numbers) or `q` (n) for the models that learn from positions only.
  case coordinates
  /// A rigid body on SO(3): an attitude R and a body angular velocity Ω, header
  /// `t,R11,…,R33,w1,w2,w3`. An observation row is the 12-vector
  /// `(R11, R12, …, R33, Ω1, Ω2, Ω3)` (R row by row); the configuration space has dimension 3.
  case rigidBody

  /// The number of entries of one observation row: 2n (n without velocities) for coordinates
  /// on Rⁿ, 12 (`9 + 3`) for a rigid body, whose configuration dimension `n` is 3.
  public func observationDimension(configurationDimension n: Int, velocities: Bool) -> Int {
    switch self {
    case .coordinates: velocities ? 2 * n : n
    case .rigidBody: 12
    }
  }

  /// The state in words: "coordinates (q, q̇)" or "a rigid body's (R, Ω)".
  public var stateDescription: String {
    switch self {
    case .coordinates: "coordinates (q, q̇)"
    case .rigidBody: "a rigid body's (R, Ω)"
    }
  }
}
