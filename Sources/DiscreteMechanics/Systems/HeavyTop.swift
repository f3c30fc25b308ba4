import Manifolds

/// The heavy top (Lagrange top when symmetric): a rigid body of mass m about a fixed pivot, with
/// its centre of mass at ρ from the pivot in the body frame, in uniform gravity `(0, 0, −g)`:
///
///     U(R) = m g e_zᵀ R ρ,    M(R) = m g (Rᵀe_z) × ρ,
///
/// from `Ŝ(M) = (∂U/∂R)ᵀR − Rᵀ(∂U/∂R)` with `∂U/∂R = m g e_z ρᵀ` and
/// `ρ vᵀ − v ρᵀ = (v × ρ)^` (Lee, Leok, McClamroch 2007, §4). J is the inertia about the pivot.
/// Rotations about the vertical are a symmetry, so `e_zᵀRΠ` is conserved.
///
/// Defaults (SI units): `J = diag(0.13, 0.28, 0.17)` kg m², m = 1 kg, g = 9.81 m/s²,
/// `ρ = (0, 0, 0.3)` m. Its ``forces`` are three torques about the body axes and isotropic
/// damping at the pivot, `τ = u − b Ω` (``BodyActuatorsAndDamping``).
public struct HeavyTop: RigidBodySystem {
  public let inertia: Matrix3
  /// The mass m.
  public let m: Double
  /// The gravitational acceleration g (gravity points along −e_z).
  public let gravity: Double
  /// The vector ρ from the pivot to the centre of mass, in the body frame.
  public let centreOfMass: Vector3
  /// The damping b at the pivot (N m s), `τ = −b Ω` without inputs.
  public let damping: Double

  /// - Throws: ``IntegrationError/invalidParameter(name:value:requirement:)`` unless `inertia`
  ///   is finite, symmetric and positive definite with principal moments that satisfy the
  ///   triangle inequality J₁ ≤ J₂ + J₃ (for each order), as every real body's do; `m` is
  ///   positive, `g` and `ρ` are finite, and `damping` is non-negative and finite.
  public init(
    inertia: Matrix3 = Matrix3(diagonal: Vector3(0.13, 0.28, 0.17)), mass m: Double = 1,
    gravity g: Double = 9.81, centreOfMass rho: Vector3 = Vector3(0, 0, 0.3), damping b: Double = 0
  ) throws(IntegrationError) {
    try RigidBodyInertia.validatePhysical(inertia)
    self.inertia = inertia
    self.m = try Parameter.positive(m, "m")
    self.gravity = try Parameter.finite(g, "g")
    for i in 0..<3 { _ = try Parameter.finite(rho[i], "rho[\(i)]") }
    self.centreOfMass = rho
    damping = try Parameter.nonNegative(b, "damping")
  }

  /// Body torques and damping: `B = I`, `D = b I`.
  public var forces: BodyActuatorsAndDamping {
    BodyActuatorsAndDamping(
      unchecked: .identity(3), dissipation: Matrix3(diagonal: Vector3(repeating: damping)))
  }

  /// `U(R) = m g e_zᵀ R ρ` (`e_zᵀR` is the third row of R).
  public func potential(at attitude: SO3) -> Double {
    m * gravity * attitude.matrix.row2.dot(centreOfMass)
  }

  /// `M(R) = m g (Rᵀe_z) × ρ`.
  @inlinable
  public func moment(at attitude: SO3) -> Vector3 {
    (m * gravity) * attitude.matrix.row2.cross(centreOfMass)
  }
}
