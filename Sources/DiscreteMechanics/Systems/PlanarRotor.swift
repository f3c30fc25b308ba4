import RealModule

/// A planar rotor: configuration space SO(2), an angle θ with moment of inertia J in a
/// potential U(θ),
///
///     L(θ, θ̇) = ½ J θ̇² − U(θ),    π = J θ̇,    E = π²/(2J) + U(θ).
///
/// Conforming types are stepped by ``SO2LGVI``; the ``Pendulum`` is one
/// (`J = m l²`, `U = −m g l cos θ`).
public protocol PlanarRotor: Sendable {
  /// The moment of inertia J (> 0).
  var inertia: Double { get }
  /// The potential energy `U(θ)`.
  func potential(atAngle angle: Double) -> Double
  /// Its derivative `U′(θ)` (the negative torque).
  func potentialDerivative(atAngle angle: Double) -> Double
}

/// A point `(θ, π)` of the phase space T*SO(2) of a planar rotor.
///
/// The angle is unwrapped (continuous, not reduced to (−π, π]), so that it records the number of
/// full turns.
public struct RotorState: Hashable, Sendable {
  /// The unwrapped angle θ.
  public var angle: Double
  /// The angular momentum π (`= J θ̇` in the continuous system).
  public var momentum: Double

  public init(angle: Double, momentum: Double) {
    self.angle = angle
    self.momentum = momentum
  }

  /// The time reversal `(θ, π) ↦ (θ, −π)`.
  public var reversed: RotorState { RotorState(angle: angle, momentum: -momentum) }
}

extension PlanarRotor {
  /// The state `(θ, J θ̇)`, after checking that both values are finite.
  public func state(angle: Double, angularVelocity: Double) throws(IntegrationError) -> RotorState {
    try IntegrationError.check([angle], name: "θ0", dimension: 1)
    try IntegrationError.check([angularVelocity], name: "θ̇0", dimension: 1)
    return RotorState(angle: angle, momentum: inertia * angularVelocity)
  }

  /// The angular velocity `θ̇ = π/J`.
  public func angularVelocity(of state: RotorState) -> Double { state.momentum / inertia }

  /// The energy `π²/(2J) + U(θ)`.
  public func energy(_ state: RotorState) -> Double {
    0.5 * state.momentum * state.momentum / inertia + potential(atAngle: state.angle)
  }
}

extension Pendulum: PlanarRotor {
  /// `U(θ) = −m g l cos θ`.
  public func potential(atAngle angle: Double) -> Double {
    -m * gravity * length * Double.cos(angle)
  }

  /// `U′(θ) = m g l sin θ`.
  public func potentialDerivative(atAngle angle: Double) -> Double {
    m * gravity * length * Double.sin(angle)
  }
}
