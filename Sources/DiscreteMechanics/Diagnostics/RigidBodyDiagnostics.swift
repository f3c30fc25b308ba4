import Manifolds

extension RigidBodySystem {
  /// The energy `½ ΠᵀJ⁻¹Π + U(R)` (NaN if J is singular).
  public func energy(_ state: RigidBodyState) -> Double {
    0.5 * state.angularMomentum.dot(angularVelocity(of: state)) + potential(at: state.attitude)
  }

  /// The spatial angular momentum `RΠ` (conserved for the free body: the momentum map of
  /// rotations of the world frame).
  public func spatialAngularMomentum(_ state: RigidBodyState) -> Vector3 {
    state.attitude.matrix * state.angularMomentum
  }

  /// How well the step `state → next` satisfies the LGVI equation, as the largest absolute entry
  ///
  ///     max |h (Π_k + (h/2) M_k)^ − (F_k J_d − J_d F_kᵀ)|,   F_k = R_kᵀ R_{k+1},  J_d = ½ tr(J) I − J,
  ///
  /// with `F_k J_d − J_d F_kᵀ = E J_d − J_d Eᵀ` for `E = R_kᵀ(R_{k+1} − R_k) = F_k − I`, formed
  /// from the increment so that it is not rounded against the identity. Zero up to round-off for
  /// a step of ``SO3LGVI`` (Lee, Leok, McClamroch 2007, eq. (25)).
  public func lgviResidual(from state: RigidBodyState, to next: RigidBodyState, stepSize h: Double)
    -> Double
  {
    let r = state.attitude.matrix
    let increment = r.transpose * (next.attitude.matrix - r)
    let j = inertia
    let jd = 0.5 * j.trace * Matrix3.identity - j
    let g = h * (state.angularMomentum + (0.5 * h) * moment(at: state.attitude))
    return (SO3.hat(g) - (increment * jd - jd * increment.transpose)).maxAbsEntry
  }
}

extension RigidBodyState {
  /// The orthogonality defect `max |RᵀR − I|` of the attitude.
  public var orthogonalityDefect: Double { attitude.orthogonalityDefect }

  /// The body angular momentum norm `|Π|` (a Casimir: conserved by every potential-free motion).
  public var angularMomentumNorm: Double { angularMomentum.norm }
}

extension HeavyTop {
  /// The vertical angular momentum `e_zᵀ R Π` (the momentum map of rotations about the vertical,
  /// a symmetry of `U(R) = m g e_zᵀRρ`).
  public func verticalAngularMomentum(_ state: RigidBodyState) -> Double {
    state.attitude.matrix.row2.dot(state.angularMomentum)
  }
}
