import Manifolds

/// The forced LGVI: a body torque `τ(R, Ω, u) = B(R)u − D(R)Ω` (``RigidBodyTorque``) through the
/// discrete Lagrange–d'Alembert principle on SO(3) (Marsden and West 2001, §3; Lee, Leok,
/// McClamroch, *Lie group variational integrators for the full body problem*, CMAME 196, 2007,
/// with the discrete forces of the left-trivialised variations `δR_k = R_k η̂_k`):
///
///     h (Π_k + (h/2)(M_k + τ_k⁻))^ = F_k J_d − J_d F_kᵀ,    R_{k+1} = R_k F_k,
///     Π_{k+1} = F_kᵀ (Π_k + (h/2)(M_k + τ_k⁻)) + (h/2)(M_{k+1} + τ_k⁺),
///
/// with the discrete forces `f_d⁻ = (h/2)τ_k⁻`, `f_d⁺ = (h/2)τ_k⁺`,
///
///     τ_k⁻ = B(R_k) u_k − D(R_k) ω_k,    τ_k⁺ = B(R_{k+1}) u_k − D(R_{k+1}) ω_k,
///
/// the input held over the step and both ends' dissipation evaluated at the step's discrete body
/// angular velocity
///
///     ω_k = (F_k − F_kᵀ)^∨ / (2h) = (sin|f|/|f|) f / h,    F_k = exp(f̂).
///
/// **Why this velocity.** (1) *Second order*: `|f| = O(h)`, so `ω_k = (f/h)(1 + O(h²))`, and `f/h`
/// is the body velocity of the geodesic from R_k to R_{k+1}, within O(h²) of Ω at the step's
/// midpoint; `f_d⁻ + f_d⁺` is then the trapezoidal quadrature of `∫ τ dt` to O(h³) per step
/// (measured: order 2.00 against rk8pd on the damped driven heavy top). Evaluating D at the
/// momentum's velocity `J⁻¹Π_k` instead would be first order in the damping. (2) *A 3-vector root
/// problem*: `D(R_k)` is known at the start of the step, and `−(h²/2) D(R_k) ω_k = −a (h/2) D(R_k) f`
/// only adds `a Δ f` (`Δ = (h/2) D(R_k)`) to the implicit equation, solved as before
/// (``SO3LGVIEquation``); `τ_k⁺` needs only `R_{k+1}` and `ω_k`, so `Π_{k+1}` stays explicit.
/// (3) *One definition on SO(2) and SO(3)*: for a rotation about a fixed axis `ω_k = sin Δ_k / h`,
/// the velocity of the forced ``SO2LGVI``, which keeps that integrator explicit. (4) *Damping
/// dissipates*: the work of the step's damping, `−(h/2) ω_kᵀ(D(R_k) + D(R_{k+1}))ω_k`, is never
/// positive.
///
/// The forced step is ``advanceAttitude(of:moment:torque:)`` then
/// ``completeStep(_:nextMoment:nextTorque:)``, the two phases of the unforced step with the
/// torques' terms at R_k and R_{k+1} (``BodyTorqueTerms``): they enter μ and Π_{k+1}. With zero
/// inputs and dissipation each operation is the unforced step's (bit for bit, tested).
extension SO3LGVI: ForcedIntegrator {
  /// - Throws: as ``init(system:stepSize:)``.
  public init(system: System, stepSize: Double, forces: any RigidBodyTorque)
    throws(IntegrationError)
  {
    try self.init(system: system, stepSize: stepSize)
    forced = HeldTorques(forces: forces)
  }

  /// The non-conservative torques, if any.
  public var forces: (any RigidBodyTorque)? { forced?.forces }
  public var inputCount: Int { forced?.forces.inputCount ?? 0 }
  public var input: [Double] { forced?.input ?? [] }

  public mutating func holdInput(_ u: [Double]) throws(IntegrationError) {
    try IntegrationError.check(u, name: "input u", dimension: inputCount)
    guard forced != nil else { return }
    if !isKnownUniquelyReferenced(&forced) { forced = forced?.copy() }
    forced?.input = u
  }

  /// The implicit half of a forced step from `state = (R_k, Π_k)` with `M_k = M(R_k)` and the
  /// torque's terms `torque` at R_k: `μ₀ = Π_k + (h/2)(M_k + B(R_k)u_k)`, the root f of the damped
  /// equation with `g = hμ₀` and `Δ = (h/2)D(R_k)`, `R_{k+1} = R_k + R_k E`, and
  /// `μ = μ₀ − (h/2) D(R_k) ω_k` (``angularVelocity(of:)``).
  /// - Throws: as ``step(_:)``.
  @inlinable
  public mutating func advanceAttitude(
    of state: RigidBodyState, moment: Vector3, torque: BodyTorqueTerms
  ) throws(IntegrationError) -> SO3LGVIAdvance {
    let h = stepSize
    let attitude = state.attitude.matrix
    let start = state.angularMomentum + (0.5 * h) * (moment + torque.inputTorque)
    equation.dissipation = (0.5 * h) * torque.dissipation
    defer { equation.dissipation = nil }
    let f = try solveImplicitEquation(target: h * start, attitude: attitude)
    let momentum = start - (0.5 * h) * (torque.dissipation * discreteAngularVelocity(root: f))
    let increment = Self.exponentialIncrement(f)
    return SO3LGVIAdvance(
      attitude: SO3(uncheckedMatrix: attitude + attitude * increment), momentum: momentum,
      increment: increment, root: f)
  }

  /// The explicit half of a forced step: ``completeStep(_:nextMoment:)`` with the moment
  /// `M_{k+1} + τ_k⁺`, `τ_k⁺ = B(R_{k+1})u_k − D(R_{k+1}) ω_k` from the torque's terms
  /// `nextTorque` at `advance`'s attitude.
  /// - Throws: as ``completeStep(_:nextMoment:)``.
  @inlinable
  public mutating func completeStep(
    _ advance: SO3LGVIAdvance, nextMoment: Vector3, nextTorque: BodyTorqueTerms
  ) throws(IntegrationError) -> RigidBodyState {
    let omega = discreteAngularVelocity(root: advance.root)
    return try completeStep(
      advance, nextMoment: nextMoment + nextTorque.torque(angularVelocity: omega))
  }

  /// The step's discrete body angular velocity `ω_k = (F_k − F_kᵀ)^∨/(2h) = (sin|f|/|f|) f/h`, at
  /// which a forced step evaluates the dissipation.
  public func angularVelocity(of advance: SO3LGVIAdvance) -> Vector3 {
    discreteAngularVelocity(root: advance.root)
  }

  /// `(sin|f|/|f|) f / h`.
  @inlinable
  func discreteAngularVelocity(root f: Vector3) -> Vector3 {
    (ExponentialCoefficients(f).a / stepSize) * f
  }

  /// The forced step: the two phases with the torques of ``forces`` at R_k and R_{k+1}.
  @usableFromInline
  mutating func forcedStep(_ state: inout RigidBodyState) throws(IntegrationError) {
    guard let forces = forced?.forces, let u = forced?.input else { return }
    let attitude = state.attitude.matrix
    let moment =
      cachedMoment.attitude == attitude ? cachedMoment.moment : system.moment(at: state.attitude)
    let advance = try advanceAttitude(
      of: state, moment: moment, torque: forces.terms(at: state.attitude, input: u))
    let nextMoment = system.moment(at: advance.attitude)
    state = try completeStep(
      advance, nextMoment: nextMoment, nextTorque: forces.terms(at: advance.attitude, input: u))
    cachedMoment = (advance.attitude.matrix, nextMoment)
  }

  /// The discrete forces (body-frame torque impulses) of the step from `state` to `next` under
  /// ``input``: `f_d⁻ = (h/2)τ_k⁻`, `f_d⁺ = (h/2)τ_k⁺` at `ω = (F − Fᵀ)^∨/(2h)`,
  /// `F = R_kᵀR_{k+1}` (zeros without forces).
  public func discreteForces(from state: RigidBodyState, to next: RigidBodyState) -> DiscreteForces
  {
    let h = stepSize
    let f = state.attitude.matrix.transpose * next.attitude.matrix
    let omega = (0.5 / h) * Vector3(f[2, 1] - f[1, 2], f[0, 2] - f[2, 0], f[1, 0] - f[0, 1])
    guard let forces = forced?.forces, let u = forced?.input else {
      return DiscreteForces(start: [0, 0, 0], end: [0, 0, 0], velocity: omega.components)
    }
    let start =
      (0.5 * h) * forces.terms(at: state.attitude, input: u).torque(angularVelocity: omega)
    let end = (0.5 * h) * forces.terms(at: next.attitude, input: u).torque(angularVelocity: omega)
    return DiscreteForces(start: start.components, end: end.components, velocity: omega.components)
  }
}

/// The torques of a forced ``SO3LGVI`` and the input it holds: a class, so that the unforced step
/// tests for it by one comparison of a reference; copied before a copy of the integrator writes
/// its input.
@usableFromInline
final class HeldTorques {
  let forces: any RigidBodyTorque
  var input: [Double]

  init(forces: any RigidBodyTorque) {
    self.forces = forces
    input = Array(repeating: 0, count: forces.inputCount)
  }

  /// The same torques and input.
  func copy() -> HeldTorques {
    let copy = HeldTorques(forces: forces)
    copy.input = input
    return copy
  }
}
