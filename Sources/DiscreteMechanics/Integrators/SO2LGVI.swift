import Manifolds
import RealModule

/// The Lie group variational integrator on SO(2) for a ``PlanarRotor`` (Lee, Leok, McClamroch,
/// CDC 2005; the planar case of the SO(3) LGVI, with discrete Lagrangian
/// `L_d = (J/h)(1 − cos Δ_k) − (h/2)(U(θ_k) + U(θ_{k+1}))`, `Δ_k = θ_{k+1} − θ_k`):
///
///     sin Δ_k = (h/J)(π_k − (h/2) U′(θ_k)),
///     θ_{k+1} = θ_k + asin(sin Δ_k),
///     π_{k+1} = π_k − (h/2)(U′(θ_k) + U′(θ_{k+1})).
///
/// Explicit, symplectic, symmetric, order 2. The angle is unwrapped (it accumulates increments,
/// so it stays continuous through full turns). `U′(θ_{k+1})` is kept for the next step, so a step
/// costs one derivative evaluation and allocates nothing.
///
/// **Forces** (``init(system:stepSize:forces:)``, a ``GeneralisedForce`` on the one coordinate
/// θ: a torque `B(θ)u` and a damping `D(θ) ≥ 0`). The discrete forces are
/// `f_d⁻ = (h/2)(B(θ_k)u_k − D(θ_k) ω_k)`, `f_d⁺ = (h/2)(B(θ_{k+1})u_k − D(θ_{k+1}) ω_k)` at the
/// discrete angular velocity `ω_k = sin Δ_k / h`: the planar case of ``SO3LGVI``'s
/// `(F_k − F_kᵀ)^∨/(2h)`, and like `Δ_k/h` within O(h²) of θ̇ at the step's midpoint, so the
/// method stays second order. Evaluated there, the damping enters the discrete Legendre transform
/// `π_k = −D₁L_d − f_d⁻` as a multiple of sin Δ_k, and the step stays explicit:
///
///     sin Δ_k = (h/J)(π_k − (h/2)U′(θ_k) + (h/2)B(θ_k)u_k) / (1 + (h/(2J)) D(θ_k)),
///     π_{k+1} = π_k − (h/2)(U′(θ_k) + U′(θ_{k+1})) + (h/2)(B(θ_k) + B(θ_{k+1}))u_k
///               − (h/2)(D(θ_k) + D(θ_{k+1})) ω_k.
///
/// With zero inputs and damping each operation is the unforced step's (bit for bit, tested).
public struct SO2LGVI<System: PlanarRotor>: SystemIntegrator {
  public let system: System
  public let stepSize: Double
  public static var methodTraits: IntegratorTraits {
    IntegratorTraits(
      name: "lgvi", isExplicit: true, isSymplectic: true, isSymmetric: true, order: 2)
  }

  private let inertia: Double
  /// `(θ, U′(θ))` at the end of the previous step.
  private var cachedDerivative: (angle: Double, derivative: Double)?
  /// The forces, the held input and the buffers of a forced step, or nil.
  private var forced: ForcedRotorWorkspace?

  /// - Throws: ``IntegrationError/invalidStepSize(_:)`` unless `stepSize` is positive and finite;
  ///   ``IntegrationError/invalidParameter(name:value:requirement:)`` unless the rotor's inertia is
  ///   positive and finite.
  public init(system: System, stepSize: Double) throws(IntegrationError) {
    try StepSize.validate(stepSize)
    inertia = try Parameter.positive(system.inertia, "J")
    self.system = system
    self.stepSize = stepSize
  }

  /// One step.
  ///
  /// - Throws: ``IntegrationError/stepTooLarge(step:detail:)`` naming `sin Δ_k` when
  ///   `|(h/J)(π_k − (h/2)U′(θ_k))| > 1` (no step exists: reduce h);
  ///   ``IntegrationError/nonFiniteState(step:)`` when the state is or becomes non-finite.
  public mutating func step(_ state: inout RotorState) throws(IntegrationError) {
    if forced != nil {
      try forcedStep(&state)
      return
    }
    let h = stepSize
    let derivative: Double
    if let cached = cachedDerivative, cached.angle == state.angle {
      derivative = cached.derivative
    } else {
      derivative = system.potentialDerivative(atAngle: state.angle)
    }
    let sine = (h / inertia) * (state.momentum - 0.5 * h * derivative)
    guard sine.isFinite else { throw .nonFiniteState(step: nil) }
    guard sine.magnitude <= 1 else {
      throw .stepTooLarge(
        step: nil,
        detail: "sin Δ = (h/J)(π − (h/2)U′(θ)) = \(sine) is outside [−1, 1] "
          + "(h = \(h), θ = \(state.angle), π = \(state.momentum)); reduce the step size")
    }
    let angle = state.angle + Double.asin(sine)
    let nextDerivative = system.potentialDerivative(atAngle: angle)
    let momentum = state.momentum - 0.5 * h * (derivative + nextDerivative)
    guard angle.isFinite, momentum.isFinite else { throw .nonFiniteState(step: nil) }
    state = RotorState(angle: angle, momentum: momentum)
    cachedDerivative = (angle, nextDerivative)
  }

  /// The forced step (see the type's documentation); allocates nothing.
  private mutating func forcedStep(_ state: inout RotorState) throws(IntegrationError) {
    if !isKnownUniquelyReferenced(&forced) { forced = forced?.copy() }
    guard let work = forced else { return }
    let h = stepSize
    let derivative: Double
    if let cached = cachedDerivative, cached.angle == state.angle {
      derivative = cached.derivative
    } else {
      derivative = system.potentialDerivative(atAngle: state.angle)
    }
    let start = work.evaluate(at: state.angle)
    let sine =
      ((h / inertia) * ((state.momentum - 0.5 * h * derivative) + 0.5 * h * start.input))
      / (1 + (h / (2 * inertia)) * start.damping)
    guard sine.isFinite else { throw .nonFiniteState(step: nil) }
    guard sine.magnitude <= 1 else {
      throw .stepTooLarge(
        step: nil,
        detail: "sin Δ = (h/J)(π − (h/2)U′(θ) + (h/2)Bu)/(1 + hD/(2J)) = \(sine) is outside "
          + "[−1, 1] (h = \(h), θ = \(state.angle), π = \(state.momentum), Bu = \(start.input), "
          + "D = \(start.damping)); reduce the step size")
    }
    let angle = state.angle + Double.asin(sine)
    let nextDerivative = system.potentialDerivative(atAngle: angle)
    let end = work.evaluate(at: angle)
    let omega = sine / h
    let momentum =
      state.momentum - 0.5 * h * (derivative + nextDerivative) + 0.5 * h
      * (start.input + end.input) - 0.5 * h * (start.damping + end.damping) * omega
    guard angle.isFinite, momentum.isFinite else { throw .nonFiniteState(step: nil) }
    state = RotorState(angle: angle, momentum: momentum)
    cachedDerivative = (angle, nextDerivative)
  }
}

extension SO2LGVI: ForcedIntegrator {
  /// - Throws: as ``init(system:stepSize:)``;
  ///   ``IntegrationError/wrongDimension(name:expected:actual:)`` unless the forces act on one
  ///   coordinate.
  public init(system: System, stepSize: Double, forces: any GeneralisedForce)
    throws(IntegrationError)
  {
    try self.init(system: system, stepSize: stepSize)
    guard forces.dimension == 1 else {
      throw .wrongDimension(name: "generalised force", expected: 1, actual: forces.dimension)
    }
    forced = ForcedRotorWorkspace(forces: forces)
  }

  /// The non-conservative forces, if any.
  public var forces: (any GeneralisedForce)? { forced?.forces }
  public var inputCount: Int { forced?.forces.inputCount ?? 0 }
  public var input: [Double] { forced?.input ?? [] }

  public mutating func holdInput(_ u: [Double]) throws(IntegrationError) {
    try IntegrationError.check(u, name: "input u", dimension: inputCount)
    guard forced != nil else { return }
    if !isKnownUniquelyReferenced(&forced) { forced = forced?.copy() }
    forced?.input = u
  }

  /// The discrete forces of the step from `state` to `next` under ``input``, at the discrete
  /// angular velocity `ω = sin(θ_{k+1} − θ_k)/h` (zeros without forces).
  public func discreteForces(from state: RotorState, to next: RotorState) -> DiscreteForces {
    let h = stepSize
    let omega = Double.sin(next.angle - state.angle) / h
    guard let work = forced?.copy() else {
      return DiscreteForces(start: [0], end: [0], velocity: [omega])
    }
    let start = work.evaluate(at: state.angle)
    let end = work.evaluate(at: next.angle)
    return DiscreteForces(
      start: [0.5 * h * (start.input - start.damping * omega)],
      end: [0.5 * h * (end.input - end.damping * omega)], velocity: [omega])
  }
}

/// The forces of a forced ``SO2LGVI`` with its held input and one-entry buffers (a class, so
/// that the unforced step tests for it by one comparison of a reference; copied before a copy of
/// the integrator writes it).
private final class ForcedRotorWorkspace {
  let forces: any GeneralisedForce
  var input: [Double]
  var angle: [Double] = [0]
  var force: [Double] = [0]
  var dissipation = Matrix.zeros(rows: 1, columns: 1)

  init(forces: any GeneralisedForce) {
    self.forces = forces
    input = Array(repeating: 0, count: forces.inputCount)
  }

  /// A workspace with the same forces and input.
  func copy() -> ForcedRotorWorkspace {
    let copy = ForcedRotorWorkspace(forces: forces)
    copy.input = input
    return copy
  }

  /// `B(θ)u` and `D(θ)`.
  func evaluate(at theta: Double) -> (input: Double, damping: Double) {
    angle[0] = theta
    forces.inputForce(at: angle, input: input, into: &force)
    forces.dissipation(at: angle, into: &dissipation)
    return (force[0], dissipation[0, 0])
  }
}
