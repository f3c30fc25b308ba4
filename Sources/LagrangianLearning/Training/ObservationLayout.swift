/// What the rows of an ``ObservedTrajectory`` are.
public enum ObservationLayout: String, Sendable, CaseIterable {
  /// Coordinates `q ∈ Rⁿ` (angles included) and optionally `q̇`, as `vin simulate` writes
  /// them for systems on Rⁿ and SO(2): header `t,q1,…,qn[,v1,…,vn]`.
  case coordinates
  /// A rigid body on SO(3): the 12-vector `(R11, R12, …, R33, Ω1, Ω2, Ω3)` (attitude row by
  /// row, body angular velocity), header `t,R11,…,R33,w1,w2,w3`. The trajectory stores it split
  /// 6 + 6 as the generic ``Trainer`` reads rows, positions `(R11…R23)` and velocities
  /// `(R31, R32, R33, Ω)`, so `(positions, velocities)` concatenated is the 12-vector; read it
  /// back with ``ObservedTrajectory/attitudes`` and ``ObservedTrajectory/angularVelocities``.
  case rigidBody
}
