import Manifolds

/// The free rigid body (Euler top): no potential, `U = 0`, `M = 0`.
///
///     Π̇ = Π × J⁻¹Π,    Ṙ = R (J⁻¹Π)^.
///
/// Energy `½ΠᵀJ⁻¹Π`, the body momentum norm `|Π|` and the spatial angular momentum `RΠ` are
/// conserved. With the default `J = diag(1, 2, 3)` a spin about the intermediate axis is
/// unstable (the Dzhanibekov effect).
///
/// Its ``forces`` are three torques about the body axes and isotropic body damping,
/// `τ = u − b Ω` (``BodyActuatorsAndDamping``).
public struct FreeRigidBody: RigidBodySystem {
  public let inertia: Matrix3
  /// The body damping b, `τ = −b Ω` without inputs.
  public let damping: Double

  /// - Throws: ``IntegrationError/invalidParameter(name:value:requirement:)`` unless `inertia`
  ///   is finite, symmetric and positive definite with principal moments that satisfy the
  ///   triangle inequality J₁ ≤ J₂ + J₃ (for each order), as every real body's do, and
  ///   `damping` is non-negative and finite.
  public init(inertia: Matrix3 = Matrix3(diagonal: Vector3(1, 2, 3)), damping b: Double = 0)
    throws(IntegrationError)
  {
    try RigidBodyInertia.validatePhysical(inertia)
    self.inertia = inertia
    damping = try Parameter.nonNegative(b, "damping")
  }

  /// Body torques and damping: `B = I`, `D = b I`.
  public var forces: BodyActuatorsAndDamping {
    BodyActuatorsAndDamping(
      unchecked: .identity(3), dissipation: Matrix3(diagonal: Vector3(repeating: damping)))
  }

  public func potential(at attitude: SO3) -> Double { 0 }

  public func moment(at attitude: SO3) -> Vector3 { .zero }
}
