import Manifolds

/// The free rigid body (Euler top): no potential, `U = 0`, `M = 0`.
///
///     Π̇ = Π × J⁻¹Π,    Ṙ = R (J⁻¹Π)^.
///
/// Energy `½ΠᵀJ⁻¹Π`, the body momentum norm `|Π|` and the spatial angular momentum `RΠ` are
/// conserved. With the default `J = diag(1, 2, 3)` a spin about the intermediate axis is
/// unstable (the Dzhanibekov effect).
public struct FreeRigidBody: RigidBodySystem {
  public let inertia: Matrix3

  /// - Throws: ``IntegrationError/invalidParameter(name:value:requirement:)`` unless `inertia`
  ///   is finite, symmetric and positive definite with principal moments that satisfy the
  ///   triangle inequality J₁ ≤ J₂ + J₃ (for each order), as every real body's do.
  public init(inertia: Matrix3 = Matrix3(diagonal: Vector3(1, 2, 3))) throws(IntegrationError) {
    try RigidBodyInertia.validatePhysical(inertia)
    self.inertia = inertia
  }

  public func potential(at attitude: SO3) -> Double { 0 }

  public func moment(at attitude: SO3) -> Vector3 { .zero }
}
