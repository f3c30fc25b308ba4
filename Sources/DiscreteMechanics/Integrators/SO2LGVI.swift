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
}
