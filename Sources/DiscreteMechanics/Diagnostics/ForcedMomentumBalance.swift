import Manifolds

/// The discrete forced Noether theorem as a check: under forces, the momentum map of a symmetry
/// of the discrete Lagrangian changes each step by exactly the impulse of the discrete forces
/// (Marsden and West, *Discrete mechanics and variational integrators*, Acta Numerica 2001,
/// Theorem 3.2.1),
///
///     J(q_{k+1}, p_{k+1}) − J(q_k, p_k) = f_d⁻ · ξ_Q(q_k) + f_d⁺ · ξ_Q(q_{k+1}),
///
/// since `p_k = −D₁L_d − f_d⁻`, `p_{k+1} = D₂L_d + f_d⁺` and invariance gives
/// `D₁L_d · ξ_Q(q_k) + D₂L_d · ξ_Q(q_{k+1}) = 0`. The residuals below are zero to round-off (and
/// the implicit methods' solver tolerance) for the forced variational integrators; for Kepler
/// with a thrust the angular momentum changes by the discrete torque impulse.
public enum ForcedMomentumBalance {
  /// `[J(q_{k+1}, p_{k+1}) − J(q_k, p_k)] − [f_d⁻ · ξ_Q(q_k) + f_d⁺ · ξ_Q(q_{k+1})]` for the step
  /// from `state` to `next` with the discrete forces `forces` (NaN unless the forces have one
  /// entry per coordinate).
  public static func residual(
    of map: MomentumMap, from state: PhaseState, to next: PhaseState, forces: DiscreteForces
  ) -> Double {
    let (start, end) = (map.generator(state.q), map.generator(next.q))
    guard forces.start.count == start.count, forces.end.count == end.count else { return .nan }
    var impulse = 0.0
    for i in start.indices { impulse += forces.start[i] * start[i] + forces.end[i] * end[i] }
    return (map(next) - map(state)) - impulse
  }

  /// On SO(3), the momentum map of rotations of the world frame, the spatial angular momentum
  /// `RΠ`: the LGVI's `Π_{k+1} = F_kᵀ(Π_k + (h/2)M_k + f_d⁻) + (h/2)M_{k+1} + f_d⁺` and
  /// `R_{k+1} = R_k F_k` give
  ///
  ///     R_{k+1}Π_{k+1} − R_kΠ_k = R_k ((h/2) M_k + f_d⁻) + R_{k+1} ((h/2) M_{k+1} + f_d⁺),
  ///
  /// the spatial impulse of the moments and discrete forces (body-frame torque impulses, as
  /// `SO3LGVI.discreteForces(from:to:)` gives them). Returns the left side minus the right (NaN
  /// unless the forces are 3-vectors); for a damped free body (`M = 0`) it also says
  /// `|Π_{k+1} − f_d⁺| = |Π_k + f_d⁻|`.
  public static func spatialResidual<System: RigidBodySystem>(
    of system: System, from state: RigidBodyState, to next: RigidBodyState, stepSize h: Double,
    forces: DiscreteForces
  ) -> Vector3 {
    guard forces.start.count == 3, forces.end.count == 3 else { return Vector3(repeating: .nan) }
    let (r0, r1) = (state.attitude.matrix, next.attitude.matrix)
    let start = Vector3(forces.start[0], forces.start[1], forces.start[2])
    let end = Vector3(forces.end[0], forces.end[1], forces.end[2])
    let impulse =
      r0 * ((0.5 * h) * system.moment(at: state.attitude) + start)
      + r1 * ((0.5 * h) * system.moment(at: next.attitude) + end)
    return (r1 * next.angularMomentum - r0 * state.angularMomentum) - impulse
  }
}
