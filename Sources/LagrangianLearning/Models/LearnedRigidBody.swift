import DiscreteMechanics
import Manifolds

/// A learned rigid body about a fixed point, seen as a `RigidBodySystem` so that DiscreteMechanics'
/// `SO3LGVI` steps it exactly as it steps the built-in bodies:
///
///     L(R, Ω) = ½ ΩᵀJΩ − U(R),   U(R) = e_zᵀ R c,   M(R) = (Rᵀe_z) × c,
///
/// the heavy-body potential with the learnable vector `c = m g ρ` (mass times gravity times the
/// pivot-to-centre-of-mass offset; `c = 0` is the free body). The moment follows from
/// `Ŝ(M) = (∂U/∂R)ᵀR − Rᵀ(∂U/∂R)` with `∂U/∂R = e_z cᵀ` (Lee, Leok, McClamroch, CMAME 196,
/// 2007, §4).
public struct LearnedRigidBody: RigidBodySystem {
  public let inertia: Matrix3
  /// The potential's vector c (`m g ρ` for a heavy body).
  public let gravityMoment: Vector3

  public init(inertia: Matrix3, gravityMoment: Vector3) {
    self.inertia = inertia
    self.gravityMoment = gravityMoment
  }

  /// `U(R) = e_zᵀ R c` (`e_zᵀR` is the third row of R).
  public func potential(at attitude: SO3) -> Double { attitude.matrix.row2.dot(gravityMoment) }

  /// `M(R) = (Rᵀe_z) × c`.
  public func moment(at attitude: SO3) -> Vector3 { attitude.matrix.row2.cross(gravityMoment) }
}
