import Manifolds

/// A rigid body with a fixed point, configuration space SO(3): attitude R (body to world) and
/// body angular momentum Π = JΩ, in a potential U(R).
///
///     L(R, Ω) = ½ Ωᵀ J Ω − U(R),    Ṙ = R Ω̂,    Π̇ = Π × Ω + M(R),
///
/// where the moment M due to the potential is defined by
/// `Ŝ(M) = (∂U/∂R)ᵀ R − Rᵀ (∂U/∂R)` (Lee, Leok, McClamroch, *Lie group variational integrators
/// for the full body problem*, CMAME 196, 2007, §2). The energy is `½ ΠᵀJ⁻¹Π + U(R)`.
///
/// Conforming types are stepped by ``SO3LGVI`` (and, as a reference, by
/// ``RigidBodyReferenceSolver``).
public protocol RigidBodySystem: Sendable {
  /// The inertia tensor J about the fixed point, in the body frame (symmetric positive definite).
  var inertia: Matrix3 { get }
  /// The potential energy `U(R)`.
  func potential(at attitude: SO3) -> Double
  /// The moment `M(R)`, `Ŝ(M) = (∂U/∂R)ᵀ R − Rᵀ (∂U/∂R)`, in the body frame; it must not allocate.
  func moment(at attitude: SO3) -> Vector3
}

/// A point `(R, Π)` of the phase space T*SO(3) ≅ SO(3) × R³ of a rigid body.
public struct RigidBodyState: Hashable, Sendable {
  /// The attitude R (maps body-frame vectors to the world frame).
  public var attitude: SO3
  /// The body angular momentum `Π = JΩ`.
  public var angularMomentum: Vector3

  @inlinable
  public init(attitude: SO3, angularMomentum: Vector3) {
    self.attitude = attitude
    self.angularMomentum = angularMomentum
  }

  /// The time reversal `(R, Π) ↦ (R, −Π)`: for a symmetric method, stepping the reversed state
  /// retraces the trajectory.
  public var reversed: RigidBodyState {
    RigidBodyState(attitude: attitude, angularMomentum: -angularMomentum)
  }
}

extension RigidBodySystem {
  /// The state `(exp(ξ̂), JΩ)` with the attitude given by the rotation vector ξ (exponential
  /// coordinates) and the body angular velocity Ω, after checking that both are finite.
  public func state(rotationVector: Vector3, angularVelocity: Vector3) throws(IntegrationError)
    -> RigidBodyState
  {
    try IntegrationError.check(rotationVector.components, name: "rotation vector", dimension: 3)
    return try state(attitude: SO3.exp(rotationVector), angularVelocity: angularVelocity)
  }

  /// The state `(R, JΩ)` for the body angular velocity Ω, after checking that Ω is finite.
  public func state(attitude: SO3, angularVelocity: Vector3) throws(IntegrationError)
    -> RigidBodyState
  {
    try IntegrationError.check(angularVelocity.components, name: "Ω", dimension: 3)
    return RigidBodyState(attitude: attitude, angularMomentum: inertia * angularVelocity)
  }

  /// The body angular velocity `Ω = J⁻¹Π` (NaN entries if J is singular).
  public func angularVelocity(of state: RigidBodyState) -> Vector3 {
    guard let inverse = inertia.inverse else { return Vector3(repeating: .nan) }
    return inverse * state.angularMomentum
  }
}
